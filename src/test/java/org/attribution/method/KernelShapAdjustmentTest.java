package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.LongStream;
import org.attribution.model.ModelFunction;
import org.junit.jupiter.api.Test;

/**
 * Kernel SHAP's tree adjustment ({@code adjustmentTrees > 0}) on a game with a known answer whose
 * sampling error comes from interactions of three and four players, which paired sampling does not
 * cancel and the adjustment's trees represent exactly.
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
  private static final ModelFunction MODEL = new ModelFunction() {
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
        int at = r * PLAYERS;
        double sum = 0;
        for (int i = 0; i < PLAYERS; i++) {
          sum += LINEAR[i] * inputs[at + i];
        }
        sum += 3.0 * inputs[at] * inputs[at + 1] * inputs[at + 2];
        sum += 2.0 * inputs[at + 3] * inputs[at + 4] * inputs[at + 5] * inputs[at + 6];
        out[r] = (float) sum;
      }
      return out;
    }

    @Override
    public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
      throw new UnsupportedOperationException();
    }
  };

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

  private static Attributions explain(int trees, int rows, long firstSeed) {
    KernelShap method = new KernelShap(MODEL, Background.uniform(new float[PLAYERS], 1, PLAYERS),
        FeatureGroups.identity(PLAYERS), BUDGET, 4096, 0, trees);
    float[] inputs = new float[rows * PLAYERS];
    Arrays.fill(inputs, 1);
    return method.attribute(inputs, rows, new int[rows], LongStream.range(firstSeed, firstSeed + rows).toArray());
  }

  /** Mean absolute error over rows and players. */
  private static double meanError(Attributions result, int rows) {
    double[] exact = exact();
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
    Attributions plain = explain(0, rows, 1);
    Attributions adjusted = explain(100, rows, 1);
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

  @Test
  void aRowsResultIsAFunctionOfItsSeedAlone() {
    Attributions batch = explain(50, 4, 7);
    Attributions alone = explain(50, 1, 9);
    for (int p = 0; p < PLAYERS; p++) {
      assertEquals(batch.value(2, p), alone.value(0, p), 0, "player " + p);
      assertEquals(batch.standardError(2, p), alone.standardError(0, p), 0, "player " + p);
    }
    Attributions again = explain(50, 4, 7);
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
  void rejectsNegativeTrees() {
    assertThrows(IllegalArgumentException.class, () -> explain(-1, 1, 1));
  }
}
