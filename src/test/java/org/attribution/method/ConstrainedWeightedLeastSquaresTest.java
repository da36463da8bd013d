package org.attribution.method;

import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kernel SHAP regression against direct solutions of the same problem: a Lagrange-multiplier
 * system for the coefficients, and the jackknife by refitting for the standard errors.
 */
class ConstrainedWeightedLeastSquaresTest {

  /**
   * For coefficients from two different well-conditioned solves of a problem of a few dozen
   * coalitions: each loses some 1e-15 per operation, amplified by the condition number.
   */
  private static final double SOLVE_ATOL = 1e-10;

  /** A random regression: distinct coalitions (neither empty nor full), weights and targets. */
  private record Problem(int players, boolean[] masks, double[] y, double[] weights) {
    int count() {
      return y.length;
    }

    static Problem random(int players, int count, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      Set<String> seen = new HashSet<>();
      boolean[] masks = new boolean[count * players];
      int k = 0;
      while (k < count) {
        boolean[] mask = new boolean[players];
        int size = 0;
        for (int p = 0; p < players; p++) {
          mask[p] = random.nextBoolean();
          size += mask[p] ? 1 : 0;
        }
        if (size > 0 && size < players && seen.add(Arrays.toString(mask))) {
          System.arraycopy(mask, 0, masks, k++ * players, players);
        }
      }
      double[] y = random.doubles(count, -2, 2).toArray();
      double[] weights = random.doubles(count, 0.1, 1).toArray();
      return new Problem(players, masks, y, weights);
    }

    ConstrainedWeightedLeastSquares solve(double delta) {
      return ConstrainedWeightedLeastSquares.solve(masks, players, y, weights, delta);
    }
  }

  private static double sum(double[] values) {
    return Arrays.stream(values).sum();
  }

  @Test
  void recoversTheCoefficientsOfAnAdditiveFunction() {
    Problem problem = Problem.random(7, 30, 3);
    double[] beta = new SplittableRandom(4).doubles(7, -3, 3).toArray();
    double[] y = new double[problem.count()];
    for (int k = 0; k < y.length; k++) {
      for (int p = 0; p < 7; p++) {
        y[k] += problem.masks()[k * 7 + p] ? beta[p] : 0;
      }
    }
    ConstrainedWeightedLeastSquares fit =
        ConstrainedWeightedLeastSquares.solve(problem.masks(), 7, y, problem.weights(), sum(beta));
    assertTrue(fit.identified());
    assertClose(beta, fit.coefficients(), DOUBLE_SUM_ATOL, 0, "coefficients");
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 5, 12, 40})
  void theConstraintHoldsExactlyWithNoisyTargets(int count) {
    for (long seed = 0; seed < 10; seed++) {
      Problem problem = Problem.random(8, count, seed);
      double delta = 100 * (seed - 4.5);
      double[] phi = problem.solve(delta).coefficients();
      assertEquals(delta, sum(phi), DOUBLE_SUM_ATOL * Math.abs(delta), "seed " + seed);
      assertTrue(Arrays.stream(phi).allMatch(Double::isFinite), Arrays.toString(phi));
    }
  }

  /**
   * The Lagrange conditions of the constrained problem: {@code Z^T W Z phi + lambda 1 = Z^T W y}
   * and {@code 1^T phi = delta}, solved as one linear system.
   */
  private static double[] lagrangeSolution(Problem problem, double delta) {
    int m = problem.players();
    RealMatrix system = new Array2DRowRealMatrix(m + 1, m + 1);
    double[] right = new double[m + 1];
    for (int k = 0; k < problem.count(); k++) {
      for (int i = 0; i < m; i++) {
        if (!problem.masks()[k * m + i]) {
          continue;
        }
        right[i] += problem.weights()[k] * problem.y()[k];
        for (int j = 0; j < m; j++) {
          if (problem.masks()[k * m + j]) {
            system.addToEntry(i, j, problem.weights()[k]);
          }
        }
      }
    }
    for (int i = 0; i < m; i++) {
      system.setEntry(i, m, 1);
      system.setEntry(m, i, 1);
    }
    right[m] = delta;
    return Arrays.copyOf(
        new LUDecomposition(system).getSolver().solve(new Array2DRowRealMatrix(right)).getColumn(0),
        m);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void matchesALagrangeMultiplierSolve(long seed) {
    Problem problem = Problem.random(6, 25, seed);
    double delta = 1.75;
    assertClose(
        lagrangeSolution(problem, delta),
        problem.solve(delta).coefficients(),
        SOLVE_ATOL,
        0,
        "coefficients");
  }

  @Test
  void playersNoCoalitionSeparatesShareTheirTotalEqually() {
    // Only {0, 1, 2} and its complement: the fit sees A = phi_0 + phi_1 + phi_2 and B = delta - A,
    // and minimises w1 (y1 - A)^2 + w2 (y2 - delta + A)^2, so A = (w1 y1 + w2 (delta - y2)) / (w1
    // + w2). How A splits among its three players is not identified.
    boolean[] masks = {
      true, true, true, false, false, false, false, false, false, true, true, true
    };
    double[] y = {1.5, -0.5};
    double[] weights = {0.75, 0.25};
    double delta = 2;
    ConstrainedWeightedLeastSquares fit =
        ConstrainedWeightedLeastSquares.solve(masks, 6, y, weights, delta);
    assertFalse(fit.identified());
    double a = (0.75 * 1.5 + 0.25 * (delta + 0.5)) / 1.0;
    double b = delta - a;
    assertClose(
        new double[] {a / 3, a / 3, a / 3, b / 3, b / 3, b / 3},
        fit.coefficients(),
        DOUBLE_SUM_ATOL,
        0,
        "coefficients");
    double[] errors = fit.standardErrors(new int[] {0, 0}, new int[] {2});
    assertTrue(Arrays.stream(errors).allMatch(Double::isNaN), Arrays.toString(errors));
  }

  @Test
  void manyCoalitionsThatNeverSeparateTwoPlayersLeaveThemEqualShares() {
    // Players 8 and 9 are always both in or both out: only their sum is identified.
    int m = 10;
    Problem problem = Problem.random(m, 200, 12);
    boolean[] masks = problem.masks().clone();
    boolean[] merged = new boolean[200 * (m - 1)];
    for (int k = 0; k < 200; k++) {
      masks[k * m + 9] = masks[k * m + 8];
      System.arraycopy(masks, k * m, merged, k * (m - 1), m - 1);
    }
    ConstrainedWeightedLeastSquares fit =
        ConstrainedWeightedLeastSquares.solve(masks, m, problem.y(), problem.weights(), 3);
    assertFalse(fit.identified());
    double[] phi = fit.coefficients();
    assertEquals(phi[8], phi[9], DOUBLE_SUM_ATOL, Arrays.toString(phi));
    assertEquals(3, sum(phi), DOUBLE_SUM_ATOL);
    // With the pair merged into one player the problem is identified, and its solution is ours.
    double[] expected =
        lagrangeSolution(new Problem(m - 1, merged, problem.y(), problem.weights()), 3);
    double[] actual = Arrays.copyOf(phi, m - 1);
    actual[8] += phi[9];
    assertClose(expected, actual, SOLVE_ATOL, 0, "coefficients with the pair merged");
  }

  // --- Standard errors. --------------------------------------------------------------------------

  /**
   * A Kernel-SHAP-shaped problem: some fixed coalitions, then sampled complementary pairs drawn 1
   * to 3 times each, weighted by their draws.
   */
  private record Clustered(Problem problem, int[] clusterOf, int[] draws) {
    static Clustered random(int players, int fixed, int pairs, long seed) {
      SplittableRandom random = new SplittableRandom(seed);
      Problem base = Problem.random(players, fixed + pairs, seed);
      int count = fixed + 2 * pairs;
      boolean[] masks = Arrays.copyOf(base.masks(), count * players);
      double[] weights = Arrays.copyOf(base.weights(), count);
      int[] clusterOf = new int[count];
      Arrays.fill(clusterOf, -1);
      int[] draws = new int[pairs];
      for (int c = 0; c < pairs; c++) {
        // Pair c is coalition fixed + c of the base problem and its complement at the end.
        int first = fixed + c;
        int second = fixed + pairs + c;
        for (int p = 0; p < players; p++) {
          masks[second * players + p] = !masks[first * players + p];
        }
        draws[c] = 1 + random.nextInt(3);
        weights[first] = 0.01 * draws[c];
        weights[second] = 0.01 * draws[c];
        clusterOf[first] = c;
        clusterOf[second] = c;
      }
      double[] y = random.doubles(count, -2, 2).toArray();
      return new Clustered(new Problem(players, masks, y, weights), clusterOf, draws);
    }
  }

  /**
   * The delete-one-draw jackknife by brute force: for each cluster, refit with one of its draws
   * removed (its coalitions' weights scaled by {@code (d_c - 1) / d_c}) through the Lagrange
   * system, then {@code Var = (D - 1) / D sum_c d_c (phi_(c) - mean)^2}.
   */
  private static double[] bruteForceJackknife(Clustered clustered, double delta) {
    Problem problem = clustered.problem();
    int m = problem.players();
    int[] draws = clustered.draws();
    int total = Arrays.stream(draws).sum();
    double[][] replicates = new double[draws.length][];
    double[] mean = new double[m];
    for (int c = 0; c < draws.length; c++) {
      double[] weights = problem.weights().clone();
      for (int k = 0; k < weights.length; k++) {
        if (clustered.clusterOf()[k] == c) {
          weights[k] *= (draws[c] - 1.0) / draws[c];
        }
      }
      replicates[c] =
          lagrangeSolution(new Problem(m, problem.masks(), problem.y(), weights), delta);
      for (int p = 0; p < m; p++) {
        mean[p] += draws[c] * replicates[c][p] / total;
      }
    }
    double[] errors = new double[m];
    for (int p = 0; p < m; p++) {
      double variance = 0;
      for (int c = 0; c < draws.length; c++) {
        double d = replicates[c][p] - mean[p];
        variance += (total - 1.0) / total * draws[c] * d * d;
      }
      errors[p] = Math.sqrt(variance);
    }
    return errors;
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 6, 20})
  void standardErrorsAreTheDeleteOneDrawJackknife(int fixed) {
    for (long seed = 0; seed < 5; seed++) {
      Clustered clustered = Clustered.random(6, fixed, 15, seed);
      assertClose(
          bruteForceJackknife(clustered, -0.5),
          clustered.problem().solve(-0.5).standardErrors(clustered.clusterOf(), clustered.draws()),
          0,
          1e-8,
          fixed + " fixed coalitions, seed " + seed);
    }
  }

  /** Clusters of one coalition each, as Kernel SHAP passes its merged pairs. */
  @Test
  void standardErrorsOfOneCoalitionDrawsAreTheDeleteOneDrawJackknife() {
    for (long seed = 0; seed < 5; seed++) {
      SplittableRandom random = new SplittableRandom(seed + 50);
      Problem base = Problem.random(7, 40, seed);
      int[] clusterOf = new int[40];
      int[] draws = new int[30];
      double[] weights = base.weights().clone();
      for (int k = 0; k < 40; k++) {
        clusterOf[k] = k < 10 ? -1 : k - 10;
        if (k >= 10) {
          draws[k - 10] = 1 + random.nextInt(3);
          weights[k] = 0.01 * draws[k - 10];
        }
      }
      Problem problem = new Problem(7, base.masks(), base.y(), weights);
      Clustered clustered = new Clustered(problem, clusterOf, draws);
      assertClose(
          bruteForceJackknife(clustered, 0.25),
          problem.solve(0.25).standardErrors(clusterOf, draws),
          0,
          1e-8,
          "seed " + seed);
    }
  }

  @Test
  void standardErrorsNeedTheFitToSurviveDeletingAnyDraw() {
    // M = 3 and two pairs, {0}/{1,2} and {1}/{0,2}: together they identify phi, alone they do not.
    boolean[] masks = {
      true, false, false, false, true, true, false, true, false, true, false, true
    };
    ConstrainedWeightedLeastSquares fit =
        ConstrainedWeightedLeastSquares.solve(
            masks, 3, new double[] {0.5, 1, -0.25, 1.5}, new double[] {1, 1, 1, 1}, 1);
    assertTrue(fit.identified());
    double[] errors = fit.standardErrors(new int[] {0, 0, 1, 1}, new int[] {1, 1});
    assertTrue(Arrays.stream(errors).allMatch(Double::isNaN), Arrays.toString(errors));
  }

  @Test
  void standardErrorsAreZeroWithoutSampledCoalitions() {
    Problem problem = Problem.random(5, 20, 8);
    int[] none = new int[20];
    Arrays.fill(none, -1);
    assertArrayEquals(new double[5], problem.solve(1).standardErrors(none, new int[0]));
  }

  @Test
  void standardErrorsNeedTwoDraws() {
    Clustered clustered = Clustered.random(5, 20, 1, 8);
    int[] once = {1};
    double[] errors = clustered.problem().solve(1).standardErrors(clustered.clusterOf(), once);
    assertTrue(Arrays.stream(errors).allMatch(Double::isNaN), Arrays.toString(errors));
  }

  // --- Validation. -------------------------------------------------------------------------------

  private static String solveError(boolean[] masks, int players, double[] y, double[] weights) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> ConstrainedWeightedLeastSquares.solve(masks, players, y, weights, 0))
        .getMessage();
  }

  @Test
  void rejectsProblemsThatDoNotFit() {
    assertEquals(
        "Cannot solve the Kernel SHAP regression: needs at least 2 players, got 1",
        solveError(new boolean[1], 1, new double[1], new double[1]));
    assertEquals(
        "Cannot solve the Kernel SHAP regression: expected at least one coalition, with 3 flags and"
            + " a weight per target value, got 2 targets, 5 flags and 2 weights",
        solveError(new boolean[5], 3, new double[2], new double[2]));
    assertEquals(
        "Cannot solve the Kernel SHAP regression: expected at least one coalition, with 3 flags and"
            + " a weight per target value, got 0 targets, 0 flags and 0 weights",
        solveError(new boolean[0], 3, new double[0], new double[0]));
    assertEquals(
        "Cannot solve the Kernel SHAP regression: weights must be finite and non-negative, got NaN",
        solveError(new boolean[6], 3, new double[2], new double[] {1, Double.NaN}));
    ConstrainedWeightedLeastSquares fit = Problem.random(3, 4, 1).solve(0);
    assertEquals(
        "Cannot estimate standard errors: expected a cluster index for each of 4 coalitions, got 3",
        assertThrows(
                IllegalArgumentException.class, () -> fit.standardErrors(new int[3], new int[1]))
            .getMessage());
    assertEquals(
        "Cannot estimate standard errors: coalition 0 is in cluster 1 but there are 1",
        assertThrows(
                IllegalArgumentException.class,
                () -> fit.standardErrors(new int[] {1, 0, 0, 0}, new int[] {2}))
            .getMessage());
  }
}
