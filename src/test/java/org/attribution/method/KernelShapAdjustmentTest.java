package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.LongStream;
import org.attribution.model.ModelFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kernel SHAP's adjustments ({@link KernelShapAdjustment}) on games with a known answer whose
 * sampling error comes from interactions of three and four players, which paired sampling does not
 * cancel and the adjustment's surrogates represent.
 */
class KernelShapAdjustmentTest {

  private static final int PLAYERS = 12;

  /** A quarter of the 4094 coalitions there are: sizes 1, 2, 10 and 11 enumerated, the rest sampled. */
  private static final int BUDGET = 1000;

  private static final double[] LINEAR = {0.5, -1, 2, 0.25, -0.5, 1.5, -2, 1, 0.75, -0.25, 0.3, -1.2};

  /**
   * {@code f(x) = sum_i c_i x_i + 3 x_0 x_1 x_2 + 2 x_3 x_4 x_5 x_6}: against a zero background, at
   * x = 1, the game is {@code v(S) = sum_{i in S} c_i + 3 [0, 1, 2 in S] + 2 [3, 4, 5, 6 in S]}, with
   * Shapley values {@code c_i + 1} for players 0-2, {@code c_i + 1/2} for 3-6, {@code c_i} otherwise.
   */
  private static final ModelFunction MODEL = model((in, at) -> {
    double sum = 0;
    for (int i = 0; i < PLAYERS; i++) {
      sum += LINEAR[i] * in[at + i];
    }
    return sum + 3.0 * in[at] * in[at + 1] * in[at + 2] + 2.0 * in[at + 3] * in[at + 4] * in[at + 5] * in[at + 6];
  });

  /** One output per row of {@code PLAYERS} inputs, from the row's inputs at its offset. */
  private interface RowFunction {
    double at(float[] inputs, int offset);
  }

  private static ModelFunction model(RowFunction f) {
    return new ModelFunction() {
      @Override
      public int inputWidth() {
        return PLAYERS;
      }

      @Override
      public int outputWidth() {
        return 1;
      }

      @Override
      public float[] forward(float[] inputs, int rows) {
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
          out[r] = (float) f.at(inputs, r * PLAYERS);
        }
        return out;
      }

      @Override
      public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private static double[] exact() {
    double[] phi = LINEAR.clone();
    for (int i = 0; i < 3; i++) {
      phi[i] += 1;
    }
    for (int i = 3; i < 7; i++) {
      phi[i] += 0.5;
    }
    return phi;
  }

  private static Attributions explain(KernelShapAdjustment adjustment, int rows, long firstSeed) {
    return explain(MODEL, adjustment, rows, firstSeed);
  }

  private static Attributions explain(ModelFunction model, KernelShapAdjustment adjustment, int rows, long firstSeed) {
    KernelShap method = new KernelShap(model, Background.uniform(new float[PLAYERS], 1, PLAYERS),
        FeatureGroups.identity(PLAYERS), BUDGET, 4096, 0, adjustment);
    float[] inputs = new float[rows * PLAYERS];
    Arrays.fill(inputs, 1);
    return method.attribute(inputs, rows, new int[rows], LongStream.range(firstSeed, firstSeed + rows).toArray());
  }

  /** Mean absolute error over rows and players. */
  private static double meanError(Attributions result, int rows) {
    return meanError(result, rows, exact());
  }

  private static double meanError(Attributions result, int rows, double[] exact) {
    double error = 0;
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        error += Math.abs(result.value(r, p) - exact[p]);
      }
    }
    return error / (rows * PLAYERS);
  }

  @Test
  void adjustmentRemovesTheErrorOfHigherInteractionsThatTreesRepresent() {
    int rows = 8;
    Attributions plain = explain(KernelShapAdjustment.NONE, rows, 1);
    Attributions adjusted = explain(KernelShapAdjustment.trees(100), rows, 1);
    double plainError = meanError(plain, rows);
    double adjustedError = meanError(adjusted, rows);
    // Paired sampling leaves the three- and four-player terms' error; the trees capture much of it (on these seeds 0.0246 against 0.0072).
    assertTrue(plainError > 0.005, "plain Kernel SHAP error " + plainError);
    assertTrue(adjustedError < plainError / 2, "adjusted error " + adjustedError + " (plain " + plainError + ")");
    for (int r = 0; r < rows; r++) {
      assertEquals(0, adjusted.gap(r), 1e-12, "efficiency of row " + r);
      for (int p = 0; p < PLAYERS; p++) {
        double se = adjusted.standardError(r, p);
        assertTrue(Double.isFinite(se) && se >= 0, "standard error " + se);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"cubic", "trees"})
  void aRowsResultIsAFunctionOfItsSeedAlone(String kind) {
    KernelShapAdjustment adjustment = kind.equals("cubic") ? KernelShapAdjustment.CUBIC : KernelShapAdjustment.trees(50);
    Attributions batch = explain(adjustment, 4, 7);
    Attributions alone = explain(adjustment, 1, 9);
    for (int p = 0; p < PLAYERS; p++) {
      assertEquals(batch.value(2, p), alone.value(0, p), 0, "player " + p);
      assertEquals(batch.standardError(2, p), alone.standardError(0, p), 0, "player " + p);
    }
    Attributions again = explain(adjustment, 4, 7);
    for (int r = 0; r < 4; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        assertEquals(batch.value(r, p), again.value(r, p), 0);
      }
    }
  }

  @Test
  void treeShapleyValuesAreExact() {
    // An ensemble fitted to 1[0 in S, 1 not in S] exactly: values 1/2 and -1/2.
    long[] points = new long[16];
    double[] residuals = new double[16];
    for (int s = 0; s < 16; s++) {
      points[s] = s;
      residuals[s] = (s & 1) != 0 && (s & 2) == 0 ? 1 : 0;
    }
    CoalitionTrees trees = CoalitionTrees.fit(4, points, residuals, 200, 2, 0.5, 1);
    assertArrayEquals(new double[] {0.5, -0.5, 0, 0}, trees.shapleyValues(), 1e-9);
    assertEquals(1, trees.predict(1) - trees.predict(0), 1e-9);
  }

  @Test
  void anEnsemblesShapleyValuesAreThoseOfTheGameItPredicts() {
    // Any ensemble against enumeration: fitted to random values on the 256 coalitions of 8 players,
    // its predictions over all of them are a game whose Shapley values the ensemble must give.
    int players = 8;
    java.util.SplittableRandom random = new java.util.SplittableRandom(8);
    long[] points = new long[1 << players];
    double[] residuals = new double[points.length];
    for (int s = 0; s < points.length; s++) {
      points[s] = s;
      residuals[s] = random.nextDouble(-1, 1) + ((s & 3) == 3 ? 2 : 0) - ((s & 0x70) == 0x70 ? 1.5 : 0);
    }
    CoalitionTrees trees = CoalitionTrees.fit(players, points, residuals, 30, 4, 0.3, 3);
    double[] game = new double[points.length];
    for (int s = 0; s < points.length; s++) {
      game[s] = trees.predict(s);
    }
    assertArrayEquals(ExactShapley.fromCoalitionValues(game, players), trees.shapleyValues(), 1e-12);
  }

  @Test
  void theJobFilesNamesMapToAdjustments() {
    assertEquals(KernelShapAdjustment.CUBIC, KernelShapAdjustment.fromId("cubic", null));
    assertEquals(KernelShapAdjustment.NONE, KernelShapAdjustment.fromId("none", null));
    assertEquals(KernelShapAdjustment.trees(7), KernelShapAdjustment.fromId("trees", 7));
    assertThrows(IllegalArgumentException.class, () -> KernelShapAdjustment.fromId("trees", null));
    assertThrows(IllegalArgumentException.class, () -> KernelShapAdjustment.fromId("quadratic", null));
  }

  @Test
  void rejectsATreeAdjustmentWithoutTrees() {
    assertThrows(IllegalArgumentException.class, () -> KernelShapAdjustment.trees(0));
    assertThrows(IllegalArgumentException.class, () -> new KernelShapAdjustment(KernelShapAdjustment.Kind.CUBIC, 5));
  }

  /** Linear terms, large on the players the three-player terms join, so that those are among the top 8. */
  private static final double[] CUBIC_LINEAR = {2, -1.5, 1.8, 1.2, -1.6, 2.2, 0.1, 1.4, 0.05, -0.1, 0.2, 0.15};

  /**
   * {@code f(x) = sum_i c_i x_i + 3 x_0 x_1 x_2 - 2 x_2 x_5 x_7 + 1.5 x_3 x_4 x_5}: against a zero
   * background at x = 1 a game of three-player interactions, each term's value shared equally by its
   * three players.
   */
  private static final ModelFunction CUBIC_MODEL = model((in, at) -> {
    double sum = 0;
    for (int i = 0; i < PLAYERS; i++) {
      sum += CUBIC_LINEAR[i] * in[at + i];
    }
    return sum + 3.0 * in[at] * in[at + 1] * in[at + 2] - 2.0 * in[at + 2] * in[at + 5] * in[at + 7]
        + 1.5 * in[at + 3] * in[at + 4] * in[at + 5];
  });

  @Test
  void theCubicAdjustmentRemovesTheErrorOfThreePlayerInteractions() {
    double[] exact = CUBIC_LINEAR.clone();
    for (int i : new int[] {0, 1, 2}) {
      exact[i] += 1;
    }
    for (int i : new int[] {2, 5, 7}) {
      exact[i] -= 2.0 / 3;
    }
    for (int i : new int[] {3, 4, 5}) {
      exact[i] += 0.5;
    }
    int rows = 8;
    Attributions plain = explain(CUBIC_MODEL, KernelShapAdjustment.NONE, rows, 1);
    Attributions cubic = explain(CUBIC_MODEL, KernelShapAdjustment.CUBIC, rows, 1);
    double plainError = meanError(plain, rows, exact);
    double cubicError = meanError(cubic, rows, exact);
    // The surrogate spans these terms; what its ridge shrinks them by, and its fit on half of the
    // pairs misses, is left to sample (on these seeds 0.0201 against 0.0043).
    assertTrue(plainError > 0.005, "plain Kernel SHAP error " + plainError);
    assertTrue(cubicError < plainError / 4, "cubic-adjusted error " + cubicError + " (plain " + plainError + ")");
    for (int r = 0; r < rows; r++) {
      assertEquals(0, cubic.gap(r), 1e-12, "efficiency of row " + r);
      for (int p = 0; p < PLAYERS; p++) {
        double error = Math.abs(cubic.value(r, p) - exact[p]);
        double se = cubic.standardError(r, p);
        assertTrue(Double.isFinite(se) && se >= 0 && error <= 5 * se + 1e-9,
            "row " + r + " player " + p + ": error " + error + ", standard error " + se);
      }
    }
  }

  @Test
  void theCubicSurrogatesShapleyValuesAreThoseOfTheGameItPredicts() {
    // Fitted to random values on the 512 coalitions of 9 players (8 of them in its triples): its
    // gains over all of them are a game whose Shapley values, by enumeration, it must give.
    int players = 9;
    int coalitions = 1 << players;
    java.util.SplittableRandom random = new java.util.SplittableRandom(9);
    boolean[] masks = new boolean[coalitions * players];
    double[] y = new double[coalitions];
    double[] weights = new double[coalitions];
    for (int s = 0; s < coalitions; s++) {
      for (int p = 0; p < players; p++) {
        masks[s * players + p] = (s >>> p & 1) != 0;
      }
      y[s] = random.nextDouble(-1, 1) + ((s & 7) == 7 ? 2 : 0) - 0.3 * Integer.bitCount(s & 0x1F0);
      weights[s] = random.nextDouble(0.5, 1.5);
    }
    CubicSurrogate surrogate = CubicSurrogate.fit(masks, y, weights, players, 1.7);
    double[] game = new double[coalitions];
    for (int s = 0; s < coalitions; s++) {
      game[s] = surrogate.gain(s);
    }
    assertEquals(0, game[0], 1e-12);
    assertEquals(1.7, game[coalitions - 1], 1e-9);
    assertArrayEquals(ExactShapley.fromCoalitionValues(game, players), surrogate.shapleyValues(), 1e-12);
  }
}
