package org.attribution.quality;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.attribution.config.Defaults;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Attributions;
import org.attribution.method.Background;
import org.attribution.method.ExactShapley;
import org.attribution.method.FeatureGroups;
import org.attribution.method.IntegratedGradients;
import org.attribution.method.IntegrationRule;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Test;

/** Quality measures with known values on analytic models. */
class QualityMeasuresTest {

  private static final double[] W = {3, -1, 2, 0.5, -2, 1};
  private static final int PLAYERS = W.length;
  private static final FeatureGroups GROUPS = FeatureGroups.identity(PLAYERS);
  /** Chosen so that every attribution w_i (x_i - b_i) is positive and they are all different. */
  private static final float[] X = {2, -3, 1.5f, 4, -0.5f, 2.5f};
  private static final float[] BASELINE = {0, 0, 0, 0, 0, 0};
  private static final Background BACKGROUND = new Background(
      new float[] {0, 0, 0, 0, 0, 0, 1, 1, -1, 2, 1, 0, -1, 1, 1, 0, 0, 1}, 3, PLAYERS, new double[] {1, 1, 2});
  private static final double[] SPREAD = {1, 2, 0.5, 1, 1, 3};
  private static final QualitySettings SETTINGS = new QualitySettings(8, 0.1, 20);
  private static final long SEED = 1234567L;

  private static ModelFunction linear() {
    return AnalyticModels.linear(new double[][] {W}, new double[] {0.7});
  }

  private static QualityMeasures measures(ModelFunction model, AttributionMethod method, Background removal) {
    return new QualityMeasures(model, method, removal, GROUPS, SPREAD, SETTINGS, 64);
  }

  private static double[] attribute(AttributionMethod method, float[] row) {
    return method.attribute(row, 1, new int[] {0}, new long[] {SEED}).values();
  }

  @Test
  void exactAttributionsOfALinearModelFallMonotonicallyAndBeatTheRandomOrder() {
    ModelFunction model = linear();
    ExactShapley method = new ExactShapley(model, BACKGROUND, GROUPS, 64, Defaults.EXACT_SHAPLEY_MAX_PLAYERS);
    double[] phi = attribute(method, X);
    assertTrue(Arrays.stream(phi).allMatch(a -> a > 0), Arrays.toString(phi));
    RowQuality quality = measures(model, method, BACKGROUND).measure(X, 0, SEED, phi);

    // Removing a player of an additive model takes exactly its attribution off the output.
    double[] sorted = Arrays.stream(phi).map(a -> -a).sorted().map(a -> -a).toArray();
    double fx = model.forward(X, 1)[0];
    double expected = fx;
    for (int k = 0; k <= PLAYERS; k++) {
      assertEquals(expected, quality.deletion()[k], 1e-5, "deletion point " + k);
      assertEquals(fx - expected + quality.insertion()[0], quality.insertion()[k], 1e-5, "insertion point " + k);
      if (k > 0) {
        assertTrue(quality.deletion()[k] < quality.deletion()[k - 1], "falls at step " + k);
      }
      // Ranked first, the largest attributions: no order takes more off at any step.
      assertTrue(quality.deletion()[k] <= quality.deletionRandom()[k] + 1e-5, "below random at " + k);
      assertTrue(quality.insertion()[k] >= quality.insertionRandom()[k] - 1e-5, "above random at " + k);
      if (k < PLAYERS) {
        expected -= sorted[k];
      }
    }
    assertTrue(quality.deletionScore() > 0.1, "deletion score " + quality.deletionScore());
    assertTrue(quality.insertionScore() > 0.1, "insertion score " + quality.insertionScore());
    // Both curves end at the reference, the background's mean output.
    assertEquals(quality.insertion()[0], quality.deletion()[PLAYERS], 1e-5);
    assertEquals(quality.deletionRandom()[PLAYERS], quality.deletion()[PLAYERS], 1e-5);
  }

  @Test
  void theScoresAreTheAreasBetweenTheCurves() {
    ModelFunction model = linear();
    ExactShapley method = new ExactShapley(model, BACKGROUND, GROUPS, 64, Defaults.EXACT_SHAPLEY_MAX_PLAYERS);
    RowQuality quality = measures(model, method, BACKGROUND).measure(X, 0, SEED, attribute(method, X));
    double[] x = QualityMeasures.curveFractions(PLAYERS, 20);
    double between = 0;
    double inserted = 0;
    for (int k = 1; k <= PLAYERS; k++) {
      between += (x[k] - x[k - 1]) * (quality.deletionRandom()[k] - quality.deletion()[k]
          + quality.deletionRandom()[k - 1] - quality.deletion()[k - 1]) / 2;
      inserted += (x[k] - x[k - 1]) * (quality.insertion()[k] - quality.insertionRandom()[k]
          + quality.insertion()[k - 1] - quality.insertionRandom()[k - 1]) / 2;
    }
    assertEquals(between, quality.deletionScore(), 1e-12);
    assertEquals(inserted, quality.insertionScore(), 1e-12);
  }

  @Test
  void exactAttributionsOfALinearModelHaveNoInfidelity() {
    ModelFunction model = linear();
    ExactShapley shapley = new ExactShapley(model, BACKGROUND, GROUPS, 64, Defaults.EXACT_SHAPLEY_MAX_PLAYERS);
    assertEquals(0, measures(model, shapley, BACKGROUND).measure(X, 0, SEED, attribute(shapley, X)).infidelity(), 1e-9);
    IntegratedGradients ig = new IntegratedGradients(model, BASELINE, IntegrationRule.GAUSS_LEGENDRE, 8, 64, GROUPS);
    Background baseline = Background.uniform(BASELINE, 1, PLAYERS);
    assertEquals(0, measures(model, ig, baseline).measure(X, 0, SEED, attribute(ig, X)).infidelity(), 1e-9);
  }

  @Test
  void infidelityOfWrongAttributionsIsTheirSquaredErrorOverRemovedSubsets() {
    ModelFunction model = linear();
    ExactShapley shapley = new ExactShapley(model, BACKGROUND, GROUPS, 64, Defaults.EXACT_SHAPLEY_MAX_PLAYERS);
    double[] phi = attribute(shapley, X);
    phi[0] += 1;
    // The error is 1 exactly when player 0 is removed, which is half the perturbations on average.
    double infidelity = measures(model, shapley, BACKGROUND).measure(X, 0, SEED, phi).infidelity();
    assertTrue(infidelity > 0 && infidelity < 1, "infidelity " + infidelity);
    double removals = infidelity * SETTINGS.perturbations();
    assertEquals(Math.rint(removals), removals, 1e-5, "a whole number of perturbations, over 8");
  }

  /**
   * IG on a linear model is {@code w (x - b)}, so moving the row by d moves the attributions by
   * {@code w d}: max-sensitivity is {@code max_i ||w d_i|| / ||w (x - b)||}. It is zero only when
   * the perturbed columns carry no weight (a gradient, not IG, is constant on a linear model).
   */
  @Test
  void maxSensitivityOfIntegratedGradientsOnALinearModelIsTheWeightedPerturbation() {
    ModelFunction model = linear();
    IntegratedGradients ig = new IntegratedGradients(model, BASELINE, IntegrationRule.GAUSS_LEGENDRE, 8, 64, GROUPS);
    QualityMeasures measures = measures(model, ig, Background.uniform(BASELINE, 1, PLAYERS));
    double[] phi = attribute(ig, X);
    float[] moved = measures.perturbations(X, 0, SEED);
    double largest = 0;
    double bound = 0;
    for (int i = 0; i < SETTINGS.perturbations(); i++) {
      double squares = 0;
      for (int c = 0; c < PLAYERS; c++) {
        double d = W[c] * (moved[i * PLAYERS + c] - X[c]);
        squares += d * d;
        assertTrue(Math.abs(moved[i * PLAYERS + c] - X[c]) <= SETTINGS.radius() * SPREAD[c] + 1e-6);
      }
      largest = Math.max(largest, Math.sqrt(squares));
    }
    for (int c = 0; c < PLAYERS; c++) {
      bound += Math.pow(W[c] * SETTINGS.radius() * SPREAD[c], 2);
    }
    double norm = Math.sqrt(Arrays.stream(phi).map(a -> a * a).sum());
    double sensitivity = measures.measure(X, 0, SEED, phi).maxSensitivity();
    assertEquals(largest / norm, sensitivity, 1e-5);
    assertTrue(sensitivity > 0 && sensitivity <= Math.sqrt(bound) / norm);

    double[] zeroWeights = {3, 0, 0, 0, 0, 0};
    ModelFunction first = AnalyticModels.linear(new double[][] {zeroWeights}, new double[] {0});
    IntegratedGradients firstIg = new IntegratedGradients(first, BASELINE, IntegrationRule.GAUSS_LEGENDRE, 8, 64, GROUPS);
    double[] onlyFirstPerturbed = {0, 1, 1, 1, 1, 1};
    QualityMeasures others = new QualityMeasures(first, firstIg, Background.uniform(BASELINE, 1, PLAYERS), GROUPS,
        onlyFirstPerturbed, SETTINGS, 64);
    assertEquals(0, others.measure(X, 0, SEED, attribute(firstIg, X)).maxSensitivity(), 0);
  }

  @Test
  void aConstantModelHasZeroAttributionsAndFlatCurves() {
    ModelFunction constant = AnalyticModels.linear(new double[][] {new double[PLAYERS]}, new double[] {2.5});
    ExactShapley method = new ExactShapley(constant, BACKGROUND, GROUPS, 64, Defaults.EXACT_SHAPLEY_MAX_PLAYERS);
    double[] phi = attribute(method, X);
    assertArrayEquals(new double[PLAYERS], phi, 1e-12);
    RowQuality quality = measures(constant, method, BACKGROUND).measure(X, 0, SEED, phi);
    double[] flat = new double[PLAYERS + 1];
    Arrays.fill(flat, 2.5);
    for (double[] curve : new double[][] {quality.deletion(), quality.deletionRandom(), quality.insertion(),
        quality.insertionRandom()}) {
      assertArrayEquals(flat, curve, 1e-6);
    }
    assertEquals(0, quality.deletionScore(), 1e-12);
    assertEquals(0, quality.insertionScore(), 1e-12);
    assertEquals(0, quality.maxSensitivity(), 0);
    assertEquals(0, quality.infidelity(), 1e-12);
  }

  @Test
  void theSameSeedGivesTheSameMeasures() {
    ModelFunction model = linear();
    ExactShapley method = new ExactShapley(model, BACKGROUND, GROUPS, 64, Defaults.EXACT_SHAPLEY_MAX_PLAYERS);
    double[] phi = attribute(method, X);
    RowQuality a = measures(model, method, BACKGROUND).measure(X, 0, SEED, phi);
    RowQuality b = new QualityMeasures(model, method, BACKGROUND, GROUPS, SPREAD, SETTINGS, 5).measure(X, 0, SEED, phi);
    assertArrayEquals(a.deletionRandom(), b.deletionRandom(), 1e-6);
    assertEquals(a.infidelity(), b.infidelity(), 1e-9);
    assertEquals(a.maxSensitivity(), b.maxSensitivity(), 1e-9);
  }

  @Test
  void manyPlayersAreRemovedAFewAtATime() {
    assertArrayEquals(new int[] {0, 1, 2, 3}, QualityMeasures.curveCounts(3, 20));
    int[] counts = QualityMeasures.curveCounts(100, 20);
    assertEquals(21, counts.length);
    assertEquals(5, counts[1]);
    assertEquals(100, counts[20]);
    assertArrayEquals(new int[] {0, 2, 3, 5, 7, 8, 10}, QualityMeasures.curveCounts(10, 6));
  }

  @Test
  void summariesAverageCurvesAndReportStandardErrors() {
    RowQuality one = new RowQuality(0, new double[] {1, 0}, new double[] {1, 1}, new double[] {0, 1},
        new double[] {0, 0}, 1, 2, 0.5, Double.NaN);
    RowQuality two = new RowQuality(0, new double[] {3, 0}, new double[] {3, 1}, new double[] {0, 3},
        new double[] {0, 0}, 3, 4, Double.NaN, 1);
    TargetQualitySummary summary = TargetQualitySummary.of(java.util.List.of(one, two), 1, 20, t -> "y").get(0);
    assertArrayEquals(new double[] {2, 0}, summary.deletion());
    QualityMeasure deletion = summary.measures().get(0);
    assertEquals(2, deletion.value());
    assertEquals(1, deletion.standardError(), 1e-12);
    assertEquals(2, deletion.rows());
    assertEquals(1, summary.measures().get(2).rows(), "NaN rows are left out");
  }
}
