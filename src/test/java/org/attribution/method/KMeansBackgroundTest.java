package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** k-means backgrounds against clusters whose centroids and sizes are known. */
class KMeansBackgroundTest {

  static final float[][] CENTRES = {{0, 0, 0}, {40, 40, -40}, {-40, 20, 60}};
  static final int[] SIZES = {50, 30, 20};

  /** Rows around each centre, offsets cancelling within a cluster so the centre is the exact mean. */
  static float[] blobs(Random random) {
    List<float[]> rows = new ArrayList<>();
    for (int c = 0; c < CENTRES.length; c++) {
      for (int i = 0; i < SIZES[c]; i += 2) {
        float[] offset = new float[3];
        for (int d = 0; d < 3; d++) {
          offset[d] = random.nextInt(9) - 4;
        }
        for (int sign = -1; sign <= 1; sign += 2) {
          float[] row = new float[3];
          for (int d = 0; d < 3; d++) {
            row[d] = CENTRES[c][d] + sign * offset[d];
          }
          rows.add(row);
        }
      }
    }
    java.util.Collections.shuffle(rows, random);
    float[] values = new float[rows.size() * 3];
    for (int r = 0; r < rows.size(); r++) {
      System.arraycopy(rows.get(r), 0, values, r * 3, 3);
    }
    return values;
  }

  @Test
  void separatedClustersGiveTheirMeansWeightedByTheirShare() {
    float[] rows = blobs(new Random(1));
    Background background = KMeansBackground.of(rows, 100, 3, 3, 42);
    assertEquals(3, background.count());
    List<Integer> order = new ArrayList<>(List.of(0, 1, 2));
    order.sort(Comparator.comparingDouble(b -> -background.weight(b)));
    for (int c = 0; c < 3; c++) {
      int b = order.get(c);
      float[] centre = new float[3];
      background.copyRow(b, centre, 0);
      assertArrayEquals(CENTRES[c], centre, 1e-5f, "cluster of " + SIZES[c]);
      assertEquals(SIZES[c] / 100.0, background.weight(b), 1e-15);
    }
  }

  @Test
  void theSameRowsAndSeedGiveTheSameCentroids() {
    float[] rows = blobs(new Random(2));
    assertEquals(KMeansBackground.of(rows, 100, 3, 7, 5), KMeansBackground.of(rows.clone(), 100, 3, 7, 5));
  }

  @Test
  void atMostKDistinctRowsAreTheBackgroundWeightedByHowOftenEachOccurs() {
    float[] rows = {1, 2, 3, 4, 1, 2, 1, 2};
    Background background = KMeansBackground.of(rows, 4, 2, 3, 0);
    assertEquals(new Background(new float[] {1, 2, 3, 4}, 2, 2, new double[] {3, 1}), background);
  }
}
