package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Test;

/**
 * Permutation importance on a linear model f(x) = w·x + b with labels y, where the MSE drop of a
 * permutation π of feature i has a closed form: with e_j = f(x_j) - y_j and d_j = x_{π(j),i} -
 * x_{j,i}, f changes by w_i d_j, so the drop is mean_j[(e_j + w_i d_j)² - e_j²] = mean_j[2 e_j w_i
 * d_j + w_i² d_j²].
 */
class PermutationImportanceTest {

  static final double[] W = {1.5, -2, 0, 0.25};
  static final ModelFunction MODEL = AnalyticModels.linear(new double[][] {W}, new double[] {0.5});
  static final int ROWS = 6;
  /** Values exact in float. */
  static final float[][] X = {
      {1, 2, 3, -1}, {0.5f, -1, 2, 4}, {-2, 0.25f, 1, 0}, {3, 1, -1, 2}, {0, -0.5f, 5, 1}, {1.25f, 3, 0, -2}};
  static final double[] LABELS = {4, -1, 0.5, 2, -3, 1};
  static final int[] PERMUTATION = {3, 0, 5, 1, 2, 4};

  static float[] flat(float[][] rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, out, r * rows[0].length, rows[0].length);
    }
    return out;
  }

  static float[] donors(int[] permutation) {
    float[][] donors = new float[ROWS][];
    for (int r = 0; r < ROWS; r++) {
      donors[r] = X[permutation[r]];
    }
    return flat(donors);
  }

  static double mean(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum / values.length;
  }

  /** The MSE drop of each player, through the class and the metric. */
  static double[] drops(PermutationImportance method, int[] permutation) {
    double original = mean(method.originalValues(flat(X), ROWS, LABELS));
    double[] permuted = method.permutedValues(flat(X), donors(permutation), ROWS, LABELS);
    double[] drops = new double[method.players()];
    for (int p = 0; p < drops.length; p++) {
      double sum = 0;
      for (int r = 0; r < ROWS; r++) {
        sum += permuted[r * drops.length + p];
      }
      drops[p] = PermutationMetric.MSE.drop(original, sum / ROWS);
    }
    return drops;
  }

  @Test
  void mseDropOfALinearModelIsTheClosedForm() {
    // maxEvaluationRows 5 splits the 24 permuted rows over several calls
    PermutationImportance method = new PermutationImportance(MODEL, FeatureGroups.identity(4),
        PermutationMetric.MSE, 0, 5);
    double[] drops = drops(method, PERMUTATION);
    for (int i = 0; i < 4; i++) {
      double expected = 0;
      for (int j = 0; j < ROWS; j++) {
        double e = 0.5 - LABELS[j];
        for (int k = 0; k < 4; k++) {
          e += W[k] * X[j][k];
        }
        double d = X[PERMUTATION[j]][i] - X[j][i];
        expected += (2 * e * W[i] * d + W[i] * W[i] * d * d) / ROWS;
      }
      assertEquals(expected, drops[i], 1e-5 * Math.max(1, Math.abs(expected)), "feature " + i);
    }
  }

  @Test
  void aFeatureTheModelIgnoresHasExactlyZeroImportance() {
    for (PermutationMetric metric : new PermutationMetric[] {PermutationMetric.MSE, PermutationMetric.ACCURACY}) {
      PermutationImportance method = new PermutationImportance(AnalyticModels.linear(new double[][] {W},
          new double[] {-0.5}), FeatureGroups.identity(4), metric, 0, 1024);
      double[] labels = {1, 0, 1, 1, 0, 0};
      double[] original = method.originalValues(flat(X), ROWS, labels);
      double[] permuted = method.permutedValues(flat(X), donors(PERMUTATION), ROWS, labels);
      for (int r = 0; r < ROWS; r++) {
        // W[2] = 0: every row's value, and so the metric, is unchanged to the bit
        assertEquals(original[r], permuted[r * 4 + 2], 0.0, metric + " row " + r);
      }
    }
  }

  /**
   * Over every permutation of the rows, the mean MSE drop of feature i with labels y = f(x) is
   * exactly 2 w_i² Var(x_i), Var the population variance: a permutation moves row j's value to
   * each row's value with probability 1/n, so E[d_j²] averages to (1/n²) Σ_j Σ_k (x_k - x_j)² =
   * 2 Var.
   */
  @Test
  void meanDropOverAllPermutationsIsTwiceWeightSquaredTimesVariance() {
    double[] exactLabels = new double[ROWS];
    for (int j = 0; j < ROWS; j++) {
      exactLabels[j] = 0.5;
      for (int k = 0; k < 4; k++) {
        exactLabels[j] += W[k] * X[j][k];
      }
    }
    PermutationImportance method = new PermutationImportance(MODEL, FeatureGroups.identity(4), PermutationMetric.MSE,
        0, 4096);
    double[] sums = new double[4];
    int[] count = {0};
    permute(new int[ROWS], new boolean[ROWS], 0, permutation -> {
      double original = mean(method.originalValues(flat(X), ROWS, exactLabels));
      double[] permuted = method.permutedValues(flat(X), donors(permutation), ROWS, exactLabels);
      for (int p = 0; p < 4; p++) {
        double sum = 0;
        for (int r = 0; r < ROWS; r++) {
          sum += permuted[r * 4 + p];
        }
        sums[p] += sum / ROWS - original;
      }
      count[0]++;
    });
    assertEquals(720, count[0]);
    for (int i = 0; i < 4; i++) {
      double mean = 0;
      double variance = 0;
      for (float[] row : X) {
        mean += row[i] / (double) ROWS;
      }
      for (float[] row : X) {
        variance += (row[i] - mean) * (row[i] - mean) / ROWS;
      }
      assertEquals(2 * W[i] * W[i] * variance, sums[i] / count[0], 1e-4, "feature " + i);
    }
  }

  @Test
  void aGroupIsPermutedAsOnePlayer() {
    FeatureGroups groups = new FeatureGroups(new int[] {0, 1, 1, 0}, 2);
    PermutationImportance method = new PermutationImportance(MODEL, groups, PermutationMetric.MSE, 0, 1024);
    double[] permuted = method.permutedValues(flat(X), donors(PERMUTATION), ROWS, LABELS);
    for (int r = 0; r < ROWS; r++) {
      float[] row = X[r];
      float[] donor = X[PERMUTATION[r]];
      // player 0 owns columns 0 and 3: both from the donor, 1 and 2 the row's own
      double f = 0.5 + W[0] * donor[0] + W[1] * row[1] + W[2] * row[2] + W[3] * donor[3];
      assertEquals((f - LABELS[r]) * (f - LABELS[r]), permuted[r * 2], 1e-4);
    }
  }

  private static void permute(int[] permutation, boolean[] used, int at, java.util.function.Consumer<int[]> each) {
    if (at == permutation.length) {
      each.accept(permutation.clone());
      return;
    }
    for (int k = 0; k < permutation.length; k++) {
      if (!used[k]) {
        used[k] = true;
        permutation[at] = k;
        permute(permutation, used, at + 1, each);
        used[k] = false;
      }
    }
  }
}
