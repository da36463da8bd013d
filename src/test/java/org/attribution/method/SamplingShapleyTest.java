package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.assertIdentical;
import static org.attribution.method.ShapleyFixtures.oneAtATime;
import static org.attribution.method.ShapleyFixtures.oneRow;
import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.rmsError;
import static org.attribution.method.ShapleyFixtures.seeds;
import static org.attribution.method.ShapleyFixtures.threeEqualRows;
import static org.attribution.method.ShapleyFixtures.weightedRows;
import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sampling Shapley against exact values and closed forms: exact where antithetic pairs are, and
 * otherwise converging, with standard errors that describe its error. What all SHAP methods share
 * is in {@link ShapleyMethodsTest}.
 */
class SamplingShapleyTest {

  /** Model calls small enough that every test splits work across calls. */
  private static final int SMALL_CHUNK = 7;

  /** Sampled values of output 0 of each row. */
  private static Attributions sample(
      ModelFunction model, Background background, FeatureGroups groups, int permutations,
      float[] inputs, int rows) {
    return new SamplingShapley(model, background, groups, permutations, SMALL_CHUNK)
        .attribute(inputs, rows, new int[rows], seeds(rows));
  }

  /** Exact values of output 0 of each row. */
  private static double[] exact(
      ModelFunction model, Background background, FeatureGroups groups, float[] inputs, int rows) {
    return new ExactShapley(model, background, groups, SMALL_CHUNK, 20)
        .attribute(inputs, rows, new int[rows])
        .values();
  }

  @Test
  void twoPlayersAreExactFromOnePair() {
    // With two players an ordering and its reverse are all the orderings there are.
    List<Named<ModelFunction>> models = List.of(
        Named.of("x0 x1", AnalyticModels.product()),
        Named.of("tanh network, columns 0-1 and 2-4 as players", ShapleyFixtures.tanhNetwork(5, 1, 61)));
    for (Named<ModelFunction> named : models) {
      ModelFunction model = named.getPayload();
      int width = model.inputWidth();
      FeatureGroups groups = twoPlayers(width);
      Background background = weightedRows(width);
      float[] inputs = randomRows(5, width, 62);
      double[] expected = exact(model, background, groups, inputs, 5);
      for (int permutations : new int[] {2, 4}) {
        Attributions sampled = sample(model, background, groups, permutations, inputs, 5);
        String what = named.getName() + ", " + permutations + " permutations";
        assertClose(expected, sampled.values(), DOUBLE_SUM_ATOL, 0, what);
        if (permutations > 2) {
          // Every pair gives the same estimate, so there is no spread.
          assertArrayEquals(new double[10], sampled.standardErrors(), what);
        }
      }
    }
  }

  /** The first half of the columns (rounded down) as player 0, the rest as player 1. */
  private static FeatureGroups twoPlayers(int width) {
    int[] playerOfColumn = new int[width];
    Arrays.fill(playerOfColumn, width / 2, width, 1);
    return new FeatureGroups(playerOfColumn, 2);
  }

  @Test
  void convergesToTheClosedFormOfTheInteractionModel() {
    Background background = threeEqualRows(5);
    int rows = 6;
    float[] inputs = randomRows(rows, 5, 71);
    double[] expected = ShapleyFixtures.interactionShapley(inputs, rows, background);
    int[] permutations = {2, 20, 200, 2000};
    double[] errors = new double[permutations.length];
    for (int k = 0; k < permutations.length; k++) {
      Attributions sampled = sample(
          ShapleyFixtures.interaction(), background, FeatureGroups.identity(5), permutations[k], inputs, rows);
      errors[k] = rmsError(expected, sampled.values());
      String what = permutations[k] + " permutations, errors " + Arrays.toString(errors);
      if (k > 0) {
        assertTrue(errors[k] < errors[k - 1], what);
        // The error is what the standard errors say it is, up to the luck of the draw.
        double ratio = errors[k] / rmsError(new double[expected.length], sampled.standardErrors());
        assertTrue(ratio > 0.5 && ratio < 2.5, what + ": error / standard error " + ratio);
      }
    }
    // The error falls as 1 / sqrt(permutations): a hundred times the permutations, a tenth of it.
    assertTrue(errors[3] < errors[1] / 5, "errors " + Arrays.toString(errors));
  }

  @Test
  void standardErrorsCoverTheTrueError() {
    int rows = 100;
    int players = 6;
    ModelFunction model = ShapleyFixtures.tanhNetwork(players, 1, 81);
    Background background = threeEqualRows(players);
    FeatureGroups groups = FeatureGroups.identity(players);
    float[] inputs = randomRows(rows, players, 82);
    double[] expected = exact(model, background, groups, inputs, rows);
    // 50 pairs per row: enough for the mean of the pairs' estimates to be close to normal.
    Attributions sampled = sample(model, background, groups, 100, inputs, rows);
    int covered = 0;
    for (int i = 0; i < expected.length; i++) {
      double error = Math.abs(sampled.values()[i] - expected[i]);
      assertTrue(sampled.standardErrors()[i] > 0, "standard error " + i);
      if (error <= 1.96 * sampled.standardErrors()[i]) {
        covered++;
      }
    }
    double coverage = (double) covered / expected.length;
    assertTrue(coverage >= 0.85 && coverage <= 0.995, "coverage " + coverage);
  }

  @Test
  void rowsSpanningSeveralEvaluationsGetTheirOwnResults() {
    // Sixteen players and a thousand pairs per row make the memory budget split the batch into
    // groups of whole rows (21 and 3).
    ModelFunction model = ShapleyFixtures.tanhNetwork(16, 1, 83);
    SamplingShapley method =
        new SamplingShapley(model, oneRow(16), FeatureGroups.identity(16), 2000, 4096);
    int rows = 24;
    float[] inputs = randomRows(rows, 16, 84);
    int[] targets = new int[rows];
    assertIdentical(
        oneAtATime(method, inputs, rows, targets, seeds(rows)),
        method.attribute(inputs, rows, targets, seeds(rows)),
        "rows explained together");
  }

  @Test
  void aRowWhosePairsPassTheMemoryBudgetIsEvaluatedInChunksAndStaysExact() {
    // With 200 players a pair's masks take about 80 kB, so the 16 MiB budget holds 200 pairs and
    // each row's 250 are evaluated in two chunks; antithetic pairs are exact for a linear model.
    int width = 200;
    double[] w = new double[width];
    for (int c = 0; c < width; c++) {
      w[c] = c % 7 - 2.5;
    }
    ModelFunction model = AnalyticModels.linear(new double[][] {w}, new double[] {0.25});
    Background background = threeEqualRows(width);
    int rows = 2;
    float[] inputs = randomRows(rows, width, 85);
    SamplingShapley method = new SamplingShapley(model, background, FeatureGroups.identity(width), 500, 4096);
    Attributions sampled = method.attribute(inputs, rows, new int[rows], seeds(rows));
    double[] mean = ShapleyFixtures.weightedMean(background);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        assertEquals(w[c] * (inputs[r * width + c] - mean[c]), sampled.value(r, c), 1e-9, "row " + r + ", player " + c);
      }
    }
    assertIdentical(oneAtATime(method, inputs, rows, new int[rows], seeds(rows)), sampled, "rows explained together");
  }

  @Test
  void aCoalitionThatARowsOrderingsReachAgainIsEvaluatedOnce() {
    // Sixteen pairs of orderings of eight players reach each row's eight coalitions of one player
    // (and of seven) many times over. The explained rows are moved off the background's grid, each
    // by its own amount, so that they differ from each other and from the background rows in every
    // column: each masked row is then one coalition of one row.
    int players = 8;
    int rows = 3;
    List<String> masked = new ArrayList<>();
    ModelFunction tanh = ShapleyFixtures.tanhNetwork(players, 1, 94);
    ModelFunction recording = new ModelFunction() {
      @Override
      public int inputWidth() {
        return players;
      }

      @Override
      public int outputWidth() {
        return 1;
      }

      @Override
      public float[] forward(float[] inputs, int n) {
        for (int i = 0; i < n; i++) {
          masked.add(Arrays.toString(Arrays.copyOfRange(inputs, i * players, (i + 1) * players)));
        }
        return tanh.forward(inputs, n);
      }

      @Override
      public float[] gradient(float[] inputs, int n, int[] targets, float[] targetOutputs) {
        throw new UnsupportedOperationException("sampling Shapley takes no gradients");
      }
    };
    float[] inputs = randomRows(rows, players, 95);
    for (int c = 0; c < rows * players; c++) {
      inputs[c] += 8 * (1 + c / players);
    }
    Background background = threeEqualRows(players);
    SamplingShapley method =
        new SamplingShapley(recording, background, FeatureGroups.identity(players), 32, SMALL_CHUNK);
    masked.clear();
    Attributions sampled = method.attribute(inputs, rows, new int[rows], seeds(rows));
    assertEquals(masked.size(), new HashSet<>(masked).size(), "inputs evaluated more than once");
    assertTrue(masked.size() < rows * (1 + 32 * 7 * 3), masked.size() + " evaluations");
    assertIdentical(oneAtATime(method, inputs, rows, new int[rows], seeds(rows)), sampled, "rows explained together");
  }

  private static int evaluated(RecordingModel model) {
    return model.forwardRows().stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  void aLinearModelMeetsAnyTargetAfterTheFirstRound() {
    // Each antithetic pair is exact for a linear model: the standard errors are 0 after the first
    // round, which meets the target, and the values are the closed form.
    Background background = threeEqualRows(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    int rows = 6;
    float[] inputs = randomRows(rows, 5, 91);
    RecordingModel model = new RecordingModel(ShapleyFixtures.linear());
    SamplingShapley method = new SamplingShapley(model, background, groups, 64, SMALL_CHUNK, 0.01);
    int construction = evaluated(model);
    Attributions sampled = method.attribute(inputs, rows, new int[rows], seeds(rows));
    assertClose(
        ShapleyFixtures.linearShapley(ShapleyFixtures.LINEAR_W, inputs, rows, new int[rows], background, groups),
        sampled.values(), DOUBLE_SUM_ATOL, 0, "values");
    // f(x) of each row, then the distinct coalitions among one round's ROUND_PAIRS pairs of 2 x 4
    // prefixes, over 3 background rows.
    assertEquals(Arrays.stream(sampled.effort().evaluations()).sum(), evaluated(model) - construction, "evaluations");
    for (int r = 0; r < rows; r++) {
      long spent = sampled.effort().evaluations()[r];
      assertTrue(spent <= 1 + SamplingShapley.ROUND_PAIRS * 2 * 4 * 3 && (spent - 1) % 3 == 0, "row " + r + ": " + spent);
      assertTrue(sampled.effort().targetMet()[r], "row " + r + " met the target");
    }
  }

  @Test
  void aNonlinearModelStopsEachRowOnceItsEstimatedErrorMeetsTheTarget() {
    ModelFunction tanh = ShapleyFixtures.tanhNetwork(10, 1, 92);
    Background background = threeEqualRows(10);
    FeatureGroups groups = FeatureGroups.identity(10);
    int rows = 40;
    float[] inputs = randomRows(rows, 10, 93);
    double target = 0.03;
    int cap = 512;
    RecordingModel model = new RecordingModel(tanh);
    SamplingShapley method = new SamplingShapley(model, background, groups, cap, SMALL_CHUNK, target);
    int construction = evaluated(model);
    Attributions sampled = method.attribute(inputs, rows, new int[rows], seeds(rows));
    long spent = evaluated(model) - construction;
    long capped = (long) rows * (1 + cap * 9L * 3);
    assertTrue(spent < capped / 2, "spent " + spent + " of " + capped);
    assertEquals(spent, Arrays.stream(sampled.effort().evaluations()).sum(), "evaluations reported");
    double[] exact = exact(tanh, background, groups, inputs, rows);
    double error = 0;
    double magnitude = 0;
    for (int r = 0; r < rows; r++) {
      double estimated = 0;
      double rowMagnitude = 0;
      for (int p = 0; p < 10; p++) {
        int i = r * 10 + p;
        estimated += Math.sqrt(2 / Math.PI) * sampled.standardErrors()[i];
        rowMagnitude += Math.abs(sampled.values()[i]);
        error += Math.abs(sampled.values()[i] - exact[i]);
        magnitude += Math.abs(exact[i]);
      }
      assertTrue(estimated <= target * rowMagnitude, "row " + r + " stopped short of its target");
      assertTrue(sampled.effort().targetMet()[r], "row " + r + " met the target");
    }
    // The estimated errors are honest: the true relative error is near the target, not above.
    assertTrue(error / magnitude <= 1.25 * target, "relative MAE " + error / magnitude);
    // A target no row reaches runs every row to the cap, where it gets the values without a target,
    // for the model evaluations the same coalitions cost without one.
    RecordingModel withoutTargetModel = new RecordingModel(tanh);
    SamplingShapley withoutTarget = new SamplingShapley(withoutTargetModel, background, groups, 16, SMALL_CHUNK);
    int before = evaluated(withoutTargetModel);
    Attributions atCap = withoutTarget.attribute(inputs, rows, new int[rows], seeds(rows));
    long spentAtCap = evaluated(withoutTargetModel) - before;
    Attributions unreachable = new SamplingShapley(tanh, background, groups, 16, SMALL_CHUNK, 1e-12)
        .attribute(inputs, rows, new int[rows], seeds(rows));
    assertIdentical(atCap, unreachable, "at the cap");
    assertEquals(spentAtCap, Arrays.stream(unreachable.effort().evaluations()).sum(), "evaluations at the cap");
    for (int r = 0; r < rows; r++) {
      assertFalse(unreachable.effort().targetMet()[r], "row " + r + " stopped at the cap");
      assertTrue(unreachable.effort().evaluations()[r] <= 1 + 16 * 9 * 3, "evaluations of row " + r);
    }
  }

  @Test
  void onePairLeavesTheStandardErrorUnknown() {
    Attributions sampled = sample(
        ShapleyFixtures.interaction(), threeEqualRows(5), FeatureGroups.identity(5), 2, randomRows(2, 5, 91), 2);
    assertTrue(Arrays.stream(sampled.standardErrors()).allMatch(Double::isNaN));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 3, -2})
  void rejectsOddOrTooFewPermutations(int permutations) {
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> new SamplingShapley(
            ShapleyFixtures.linear(), oneRow(5), FeatureGroups.identity(5), permutations, 100));
    assertEquals(
        "Cannot sample Shapley values: permutations must be even and at least 2 (each drawn "
            + "permutation is used with its reverse), got " + permutations,
        e.getMessage());
  }
}
