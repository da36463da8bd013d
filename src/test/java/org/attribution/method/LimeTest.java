package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.LINEAR_W;
import static org.attribution.method.ShapleyFixtures.linear;
import static org.attribution.method.ShapleyFixtures.linearShapley;
import static org.attribution.method.ShapleyFixtures.oneAtATime;
import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.seeds;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Test;

/**
 * Tabular LIME on linear models, where the surrogate's coefficients have closed forms: with one
 * background row the model is exactly linear in the coalition, {@code f = f(b) + sum_i z_i w_i (x_i
 * - b_i)}, so the fit is perfect up to the ridge's shrinkage.
 */
class LimeTest {

  private static final int ROWS = 6;
  private static final float[] INPUTS = randomRows(ROWS, 5, 21);
  private static final int[] TARGETS = {0, 1, 0, 1, 1, 0};

  @Test
  void limeOnALinearModelWithOneBackgroundRowRecoversItsCoefficientsWithRSquaredOne() {
    Background background = ShapleyFixtures.oneRow(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    Lime.Fit fit = new Lime(linear(), background, groups, 2000, 0.75 * Math.sqrt(5), 1e-9, 256)
        .explain(INPUTS, ROWS, TARGETS, seeds(ROWS));
    double[] expected = linearShapley(LINEAR_W, INPUTS, ROWS, TARGETS, background, groups);
    assertClose(expected, fit.attributions().values(), 1e-5, 1e-5, "w (x - b)");
    for (int r = 0; r < ROWS; r++) {
      assertEquals(1, fit.rSquared()[r], 1e-9, "R^2 of row " + r);
    }
  }

  @Test
  void theRidgePenaltyShrinksTheCoefficientsTowardsZero() {
    // The norm of a ridge solution falls as the penalty rises (a single coefficient need not).
    Background background = ShapleyFixtures.oneRow(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    double[] exact = linearShapley(LINEAR_W, INPUTS, ROWS, TARGETS, background, groups);
    double[] mild = new Lime(linear(), background, groups, 200, 1.5, 1, 256)
        .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS)).values();
    double[] strong = new Lime(linear(), background, groups, 200, 1.5, 50, 256)
        .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS)).values();
    for (int r = 0; r < ROWS; r++) {
      double exactNorm = norm(exact, r);
      assertTrue(norm(strong, r) < norm(mild, r) && norm(mild, r) < exactNorm,
          "row " + r + ": " + norm(strong, r) + " < " + norm(mild, r) + " < " + exactNorm);
    }
  }

  private static double norm(double[] values, int row) {
    return Math.sqrt(Arrays.stream(values, row * 5, row * 5 + 5).map(v -> v * v).sum());
  }

  @Test
  void withASampledBackgroundTheCoefficientsConvergeToTheEffectOfTheMeanBackground() {
    // Each copy takes its switched-off players from one background row; the model's part from
    // them, sum_{i off} w_i b_i, averages to w_i E[b_i], so the coefficients tend to w_i (x_i -
    // E[b_i]), and the background's spread, noise to the surrogate, leaves R^2 below 1. The
    // sampling error shrinks as 1/sqrt(samples): at 40,000 copies some coefficients are 0.07 off.
    Background background = ShapleyFixtures.weightedRows(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    Lime.Fit fit = new Lime(linear(), background, groups, 160_000, 0.75 * Math.sqrt(5), 1e-9, 4096)
        .explain(INPUTS, ROWS, TARGETS, seeds(ROWS));
    double[] expected = linearShapley(LINEAR_W, INPUTS, ROWS, TARGETS, background, groups);
    assertClose(expected, fit.attributions().values(), 0.06, 0, "w (x - E[b])");
    for (int r = 0; r < ROWS; r++) {
      assertTrue(fit.rSquared()[r] > 0 && fit.rSquared()[r] < 1, "R^2 of row " + r + ": " + fit.rSquared()[r]);
    }
  }

  @Test
  void aPlayerOfSeveralColumnsIsSwitchedAsAWhole() {
    // Columns {0, 1} and {2, 3, 4}: the coefficient of a player is the sum of its columns' terms.
    Background background = ShapleyFixtures.oneRow(5);
    FeatureGroups groups = new FeatureGroups(new int[] {0, 0, 1, 1, 1}, 2);
    double[] values = new Lime(linear(), background, groups, 500, 1, 1e-9, 256)
        .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS)).values();
    assertClose(linearShapley(LINEAR_W, INPUTS, ROWS, TARGETS, background, groups), values, 1e-5, 1e-5, "groups");
  }

  @Test
  void outputsAreTheRowsAndReferencesTheBaseValue() {
    Background background = ShapleyFixtures.threeEqualRows(5);
    Attributions a = new Lime(linear(), background, FeatureGroups.identity(5), 50, 1, 1, 256)
        .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS));
    ModelFunction model = linear();
    float[] out = model.forward(INPUTS, ROWS);
    double[] base = new CoalitionEvaluator(model, background, FeatureGroups.identity(5), 64).baseValues();
    for (int r = 0; r < ROWS; r++) {
      assertEquals(out[r * 2 + TARGETS[r]], a.outputs()[r], 0);
      assertEquals(base[TARGETS[r]], a.references()[r], 0);
    }
  }

  @Test
  void aRowsResultDependsOnItsSeedAloneNotOnItsBatchOrTheCallSize() {
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 2, 6);
    Background background = ShapleyFixtures.weightedRows(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    long[] seeds = seeds(ROWS);
    Lime.Fit together = new Lime(model, background, groups, 300, 1.5, 1, 4096).explain(INPUTS, ROWS, TARGETS, seeds);
    Lime small = new Lime(model, background, groups, 300, 1.5, 1, 7);
    assertArrayEquals(together.attributions().values(), oneAtATime(small, INPUTS, ROWS, TARGETS, seeds).values());
    assertArrayEquals(together.rSquared(), small.explain(INPUTS, ROWS, TARGETS, seeds).rSquared());
    long[] otherSeeds = Arrays.stream(seeds).map(s -> s + 1).toArray();
    assertFalse(Arrays.equals(together.attributions().values(),
        small.attribute(INPUTS, ROWS, TARGETS, otherSeeds).values()));
  }

  @Test
  void aModelConstantOverTheCopiesIsFittedPerfectly() {
    Lime.Fit fit = new Lime(AnalyticModels.linear(new double[][] {{0, 0}}, new double[] {3}),
        ShapleyFixtures.threeEqualRows(2), FeatureGroups.identity(2), 20, 1, 1, 64)
        .explain(new float[] {1, 2}, 1, new int[1], new long[1]);
    assertClose(new double[] {0, 0}, fit.attributions().values(), 1e-12, 0, "coefficients");
    assertArrayEquals(new double[] {1}, fit.rSquared());
  }

  @Test
  void settingsOutsideTheirRangeAreRefused() {
    assertEquals("Cannot compute LIME: samples must be at least 2, got 1", assertThrows(IllegalArgumentException.class,
        () -> new Lime(linear(), ShapleyFixtures.oneRow(5), FeatureGroups.identity(5), 1, 1, 1, 64)).getMessage());
    assertEquals("Cannot compute LIME: alpha must be positive, got 0.0", assertThrows(IllegalArgumentException.class,
        () -> new Lime(linear(), ShapleyFixtures.oneRow(5), FeatureGroups.identity(5), 10, 1, 0, 64)).getMessage());
  }
}
