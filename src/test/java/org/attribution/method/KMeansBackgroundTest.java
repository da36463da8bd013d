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

  /**
   * Lloyd's fixed point, whatever the data: every centroid is the mean of the rows nearest to it
   * and weighs their share of the rows, also when k exceeds the groups the data has (5 centroids for 3 blobs)
   * and on unstructured data.
   */
  @Test
  void everyCentroidIsTheMeanOfTheRowsNearestToIt() {
    Random random = new Random(11);
    float[] noise = new float[400 * 4];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (float) random.nextGaussian();
    }
    assertFixedPoint(blobs(new Random(3)), 100, 3, 5);
    assertFixedPoint(noise, 400, 4, 7);
  }

  private static void assertFixedPoint(float[] rows, int count, int width, int k) {
    Background background = KMeansBackground.of(rows, count, width, k, 17);
    assertEquals(k, background.count(), "no centroid is lost");
    double[][] sums = new double[k][width];
    int[] sizes = new int[k];
    for (int r = 0; r < count; r++) {
      int nearest = 0;
      double best = Double.POSITIVE_INFINITY;
      for (int b = 0; b < k; b++) {
        double distance = 0;
        for (int c = 0; c < width; c++) {
          double d = rows[r * width + c] - background.rows()[b * width + c];
          distance += d * d;
        }
        if (distance < best) {
          best = distance;
          nearest = b;
        }
      }
      sizes[nearest]++;
      for (int c = 0; c < width; c++) {
        sums[nearest][c] += rows[r * width + c];
      }
    }
    for (int b = 0; b < k; b++) {
      assertEquals((double) sizes[b] / count, background.weight(b), 1e-15, "share of rows nearest to centroid " + b);
      for (int c = 0; c < width; c++) {
        assertEquals(sums[b][c] / sizes[b], background.rows()[b * width + c], 1e-5, "centroid " + b + ", column " + c);
      }
    }
  }
}
