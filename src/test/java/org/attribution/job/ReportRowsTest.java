package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The report's sample: a fair share of the rows by seed, each kept row once, in one order. */
class ReportRowsTest {

  @Test
  void aShareOfTheSeedsIsDrawn() {
    SplittableRandom random = new SplittableRandom(11);
    int drawn = 0;
    int seeds = 200_000;
    for (int i = 0; i < seeds; i++) {
      drawn += ReportRows.drawn(random.nextLong(), 0.3) ? 1 : 0;
    }
    // Binomial(200,000, 0.3): standard deviation 205, so 0.3 +- 0.005 is more than 4.8 of them.
    assertEquals(0.3, (double) drawn / seeds, 0.005);
    assertFalse(ReportRows.drawn(7, 0));
  }

  @Test
  void keptRowsAreOrderedBySeedInputAndTargetAndKeptOnce() {
    ReportRows.Kept a1 = new ReportRows.Kept(5, 1, new double[] {1}, new float[] {2});
    ReportRows.Kept a0 = new ReportRows.Kept(5, 0, new double[] {1}, new float[] {2});
    ReportRows.Kept b = new ReportRows.Kept(5, 0, new double[] {3}, new float[] {1});
    ReportRows.Kept c = new ReportRows.Kept(-4, 0, new double[] {4}, new float[] {9});
    // a partition computed twice hands its rows over twice
    ReportRows.Kept again = new ReportRows.Kept(5, 1, new double[] {1}, new float[] {2});
    assertEquals(List.of(c, b, a0, a1), ReportRows.ordered(List.of(a1, a0, again, b, c)));
  }
}
