package org.attribution.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.method.Background;
import org.attribution.method.FeatureGroups;
import org.attribution.method.KernelShap;
import org.attribution.method.SamplingShapley;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.BruteForceShapley;
import org.junit.jupiter.api.Test;

/**
 * The accuracy harness on problems small enough to check by brute force: its exact values, the
 * game it serves the estimators, and the estimators' convergence and standard errors on it.
 */
class AccuracyHarnessTest {

  /** A 6-player tanh network with grouped columns, against a weighted 3-row background. */
  private static AccuracyProblems small(ModelFunction[] modelOut, Background[] backgroundOut,
      FeatureGroups groups, float[] explained, int rows) {
    int width = groups.columns();
    SplittableRandom random = new SplittableRandom(5);
    double[][] w = new double[8][width];
    double[] a = new double[8];
    double[][] v = new double[2][8];
    for (int h = 0; h < 8; h++) {
      for (int c = 0; c < width; c++) {
        w[h][c] = random.nextDouble(-1, 1);
      }
      a[h] = random.nextDouble(-0.5, 0.5);
      v[0][h] = random.nextDouble(-2, 2);
      v[1][h] = random.nextDouble(-2, 2);
    }
    modelOut[0] = AnalyticModels.tanhNetwork(w, a, v, new double[] {0.25, -0.5});
    float[] background = new float[3 * width];
    for (int i = 0; i < background.length; i++) {
      background[i] = (float) random.nextDouble(-2, 2);
    }
    backgroundOut[0] = new Background(background, 3, width, new double[] {0.5, 0.25, 0.25});
    return AccuracyProblems.fromModel("small", modelOut[0], backgroundOut[0], groups, explained, rows);
  }

  @Test
  void exactValuesAreTheBruteForceShapleyValues() {
    // 8 columns, 6 players: columns 2-3 and 5-6 are one player each.
    FeatureGroups groups = new FeatureGroups(new int[] {0, 1, 2, 2, 3, 4, 4, 5}, 6);
    int rows = 4;
    float[] explained = new float[rows * 8];
    SplittableRandom random = new SplittableRandom(6);
    for (int i = 0; i < explained.length; i++) {
      explained[i] = (float) random.nextDouble(-2, 2);
    }
    ModelFunction[] model = new ModelFunction[1];
    Background[] background = new Background[1];
    AccuracyProblems problem = small(model, background, groups, explained, rows);
    for (int r = 0; r < rows; r++) {
      float[] x = Arrays.copyOfRange(explained, r * 8, (r + 1) * 8);
      // fromModel explains output 0.
      double[] brute = BruteForceShapley.values(model[0], background[0], groups, x, 0);
      assertArrayEquals(brute, problem.exact()[r], 1e-12, "row " + r);
    }
  }

  @Test
  void theTableGameGivesEveryEstimatorTheProblemsValues() {
    AccuracyProblems problem = AccuracyProblems.tanh(8, 5, 3);
    // Every coalition enumerated: Kernel SHAP is exact, up to the float the game returns values in.
    AccuracyHarness.Result all = AccuracyHarness.measure(problem,
        game -> new KernelShap(game, game.background(), game.groups(), 254, 1 << 16), 1);
    assertTrue(all.relativeMae() < 1e-6, "relative MAE " + all.relativeMae());
    assertEquals(254 * 4 + 1, all.evaluationsPerRow(), "254 coalitions of 4 background rows, and f(x)");
    assertEquals(1.0, all.topOne());
  }

  /** Relative MAE of both estimators at budgets 4 times apart, over the same seeds. */
  @Test
  void errorsFallAsOneOverTheRootOfTheBudget() {
    AccuracyProblems problem = AccuracyProblems.tanh(10, 16, 9);
    double kernel64 = kernel(problem, 64).relativeMae();
    double kernel256 = kernel(problem, 256).relativeMae();
    double sampling8 = sampling(problem, 8).relativeMae();
    double sampling32 = sampling(problem, 32).relativeMae();
    String errors = "kernel_shap " + kernel64 + " -> " + kernel256 + ", sampling_shapley " + sampling8
        + " -> " + sampling32;
    // Both are Monte Carlo: 4 times the budget halves the error. Kernel SHAP also enumerates
    // more sizes as its budget grows, which can only help. Seen: ratios 2.68 and 1.93.
    assertTrue(kernel64 / kernel256 > 1.6 && kernel64 / kernel256 < 4, errors);
    assertTrue(sampling8 / sampling32 > 1.6 && sampling8 / sampling32 < 2.5, errors);
  }

  @Test
  void standardErrorsCoverTheExactValuesOnAFixedSeedSet() {
    AccuracyProblems problem = AccuracyProblems.tanh(10, 16, 9);
    // Seen: kernel_shap 0.951, sampling_shapley 0.917 (16 pairs: 1.96 is short of the t quantile
    // for 15 degrees of freedom, 2.13).
    double kernel = kernel(problem, 256).coverage();
    double sampling = sampling(problem, 32).coverage();
    assertTrue(kernel >= 0.92 && kernel <= 0.98, "kernel_shap coverage " + kernel);
    assertTrue(sampling >= 0.90 && sampling <= 0.97, "sampling_shapley coverage " + sampling);
  }

  private static AccuracyHarness.Result kernel(AccuracyProblems problem, int budget) {
    return AccuracyHarness.measure(problem,
        game -> new KernelShap(game, game.background(), game.groups(), budget, 1 << 16), 8);
  }

  private static AccuracyHarness.Result sampling(AccuracyProblems problem, int permutations) {
    return AccuracyHarness.measure(problem,
        game -> new SamplingShapley(game, game.background(), game.groups(), permutations, 1 << 16), 8);
  }
}
