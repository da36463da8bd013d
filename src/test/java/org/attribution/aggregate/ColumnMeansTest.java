package org.attribution.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ColumnMeansTest {

  private static final int WIDTH = 3;

  /** Values whose plain double sum depends on the order: large, tiny and one-hot together. */
  private static List<float[]> rows(int n, long seed) {
    Random random = new Random(seed);
    List<float[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      rows.add(new float[] {
          (float) (random.nextGaussian() * 1e6),
          (float) (random.nextGaussian() * 1e-3 + (i % 7 == 0 ? 3e7 : 0)),
          random.nextInt(5) == 0 ? 1f : 0f});
    }
    return rows;
  }

  private static ColumnMeans of(List<float[]> rows) {
    ColumnMeans means = new ColumnMeans(WIDTH);
    rows.forEach(row -> means.add(row, 0));
    return means;
  }

  @Test
  void meansAreTheExactMeansRoundedToFloat() {
    List<float[]> rows = rows(20_000, 1);
    float[] means = of(rows).means();
    for (int c = 0; c < WIDTH; c++) {
      BigDecimal sum = BigDecimal.ZERO;
      for (float[] row : rows) {
        sum = sum.add(new BigDecimal(row[c]));
      }
      float exact = sum.divide(BigDecimal.valueOf(rows.size()), MathContext.DECIMAL128).floatValue();
      assertEquals(exact, means[c], 0f, "column " + c);
    }
  }

  @Test
  void aMeanJustAboveAFloatMidpointRoundsUp() {
    // The sum is 2^42 + 2^18 + 2^-20, so the mean lies 2^-22 above the midpoint between the
    // floats 2^40 and 2^40 + 2^17. A double sum drops the 2^-20, lands on the midpoint and rounds
    // to even, down; the exact sum rounds up.
    float[][] rows = {{0x1p41f + 0x1p18f}, {0x1p41f}, {0f}, {0x1p-20f}};
    ColumnMeans means = new ColumnMeans(1);
    for (float[] row : rows) {
      means.add(row, 0);
    }
    assertEquals(0x1p40f + 0x1p17f, means.means()[0], 0f);
  }

  @Test
  void rowOrderAndPartitioningChangeNoBit() {
    List<float[]> rows = rows(20_000, 2);
    float[] reference = of(rows).means();
    Random random = new Random(3);
    for (int trial = 0; trial < 20; trial++) {
      List<float[]> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, random);
      // Cut into a random number of partitions, merged in a random order.
      int parts = 1 + random.nextInt(16);
      List<ColumnMeans> partials = new ArrayList<>();
      for (int p = 0; p < parts; p++) {
        partials.add(of(shuffled.subList(p * shuffled.size() / parts, (p + 1) * shuffled.size() / parts)));
      }
      Collections.shuffle(partials, random);
      ColumnMeans merged = new ColumnMeans(WIDTH);
      partials.forEach(merged::merge);
      assertEquals(rows.size(), merged.count());
      assertArrayEquals(reference, merged.means(), "trial " + trial);
    }
  }

  @Test
  void rowsAreReadFromTheirOffset() {
    ColumnMeans means = new ColumnMeans(2);
    means.add(new float[] {9, 9, 1, 2}, 2);
    means.add(new float[] {9, 9, 3, 6}, 2);
    assertArrayEquals(new float[] {2, 4}, means.means());
  }

  @Test
  void noRowsAndMismatchedWidthsAreErrors() {
    assertThrows(IllegalStateException.class, () -> new ColumnMeans(2).means());
    assertThrows(IllegalArgumentException.class, () -> new ColumnMeans(2).merge(new ColumnMeans(3)));
  }
}
