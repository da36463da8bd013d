package org.attribution.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Row;
import org.attribution.output.AuditTables;
import org.attribution.output.RunInfo;
import org.junit.jupiter.api.Test;

/**
 * The 95% interval of mean |attribution| against bounds worked out by hand (to 30 digits, with the
 * t quantiles from the regularised incomplete beta function), and its undefined cases.
 */
class ConfidenceIntervalTest {

  /** Nine rows at 0, one at -0.9, one at 4: most rows of a small segment do not use the feature. */
  static final double[] SMALL_SEGMENT = {0, 0, 0, 0, 0, 0, 0, 0, 0, -0.9, 4.0};

  static ResultSums sums(double... attributions) {
    ResultSums sums = new ResultSums(1);
    for (int i = 0; i < attributions.length; i++) {
      sums.add(1, 0, 0, attributions, i);
    }
    return sums;
  }

  static ConfidenceInterval interval(double... attributions) {
    return ConfidenceInterval.ofNonNegativeMean(sums(attributions).feature(0).absolute());
  }

  /**
   * mean = 4.9 / 11 = 0.445454...; Σ|a|² = 16.81, so m2 = 16.81 - 4.9² / 11 = 14.627272... and
   * se = sqrt(m2 / 10 / 11) = 0.364657656729665; t(0.975, 10) = 2.22813885198627; the interval is
   * mean · exp(∓ t · se / mean). The normal interval mean ± 1.96 se was [-0.269, 1.160].
   */
  @Test
  void smallSegmentOfMostlyZeros() {
    ConfidenceInterval interval = interval(SMALL_SEGMENT);
    assertEquals(0.0718871768136907468696, interval.low(), 1e-14);
    assertEquals(2.76029412840045228041, interval.high(), 1e-13);
  }

  /** Two rows, |a| = 1 and 3: mean 2, se 1, t(0.975, 1) = 12.7062047361747. */
  @Test
  void twoRowsGetTheWideIntervalTheyDeserve() {
    ConfidenceInterval interval = interval(1, -3);
    assertEquals(0.00348267296190149336835, interval.low(), 1e-16);
    assertEquals(1148.54310001478086304597, interval.high(), 1e-9);
  }

  @Test
  void undefinedForOneRowAndZeroWhenEveryAttributionIsZero() {
    assertEquals(ConfidenceInterval.UNDEFINED, interval(0.5));
    assertEquals(new ConfidenceInterval(0, 0), interval(0, 0, 0));
    assertEquals(new ConfidenceInterval(0.25, 0.25), interval(0.25, -0.25, 0.25), "no spread, no width");
  }

  @Test
  void theImportanceTableCarriesTheIntervalAndWritesUndefinedEndsAsNull() {
    GlobalImportance.Partial small = new GlobalImportance.Partial(0, "bad", List.of("small"), sums(SMALL_SEGMENT));
    GlobalImportance.Partial single = new GlobalImportance.Partial(0, "bad", List.of("single"), sums(0.5));
    ImportanceSummary summary = GlobalImportance.summarise(List.of(small, single), List.of("a"), List.of("region"), 30);
    ImportanceRow smallRow = segment(summary, "small");
    assertTrue(smallRow.lowCount());
    assertEquals(0.0718871768136907468696, smallRow.ciLow(), 1e-14);
    assertEquals(2.76029412840045228041, smallRow.ciHigh(), 1e-13);

    RunInfo run = new RunInfo("r", Instant.parse("2026-12-01T00:00:00Z"), "job", "data", "m.pt", "00", "kernel_shap");
    Row singleRow = AuditTables.importanceRows(run, List.of(segment(summary, "single"))).get(0);
    assertNull(singleRow.get(AuditTables.IMPORTANCE.fieldIndex("ci95_low")));
    assertNull(singleRow.get(AuditTables.IMPORTANCE.fieldIndex("ci95_high")));
  }

  private static ImportanceRow segment(ImportanceSummary summary, String value) {
    return summary.rows().stream().filter(r -> value.equals(r.segmentValue())).findFirst().orElseThrow();
  }
}
