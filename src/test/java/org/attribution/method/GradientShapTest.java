package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.gaps;
import static org.attribution.method.ShapleyFixtures.oneRow;
import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.rmsError;
import static org.attribution.method.ShapleyFixtures.seeds;
import static org.attribution.method.ShapleyFixtures.threeEqualRows;
import static org.attribution.method.ShapleyFixtures.weightedRows;
import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gradient SHAP on models whose expected gradients are known: stratified path points, convergence
 * to the Shapley values of a product, noise within the reported standard errors. What all SHAP
 * methods share is in {@link ShapleyMethodsTest}.
 */
class GradientShapTest {

  /** Model calls small enough that every test splits work across calls. */
  private static final int SMALL_CHUNK = 7;

  private static Attributions explain(
      ModelFunction model, Background background, FeatureGroups groups, int samples, double noise,
      float[] inputs, int rows) {
    return new GradientShap(model, background, groups, samples, noise, SMALL_CHUNK)
        .attribute(inputs, rows, new int[rows], seeds(rows));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 10, 100, 1000})
  void stratifiedPathPointsAverageWithinHalfAStratumOfOneHalf(int samples) {
    // f = x^2 / 2 from the baseline 0 to x = 1: each sample's estimate is its path point alpha, so
    // the attribution is the mean of the points. One per stratum [j/n, (j+1)/n) puts that mean
    // within 1/(2n) of 1/2, where independent points would stray by about 0.29 / sqrt(n).
    int rows = 20;
    float[] inputs = new float[rows];
    Arrays.fill(inputs, 1);
    Attributions attributions = explain(
        AnalyticModels.quadratic(new double[] {0.5}), Background.uniform(new float[1], 1, 1),
        FeatureGroups.identity(1), samples, 0, inputs, rows);
    for (int r = 0; r < rows; r++) {
      assertEquals(0.5, attributions.value(r, 0), 0.5 / samples + FLOAT32_ATOL, "row " + r);
    }
  }

  @Test
  void productConvergesToItsShapleyValues() {
    // For x0 x1 the gradient is linear along the path, so the expected gradient from baseline b is
    // Integrated Gradients, (x0 - b0)(x1 + b1) / 2 for player 0, which is also the Shapley value
    // against b; averaged over the background, both are the interventional Shapley values.
    Background background = threeEqualRows(2);
    int rows = 8;
    float[] inputs = randomRows(rows, 2, 101);
    double[] expected = new double[rows * 2];
    float[] b = background.rows();
    for (int r = 0; r < rows; r++) {
      double x0 = inputs[2 * r];
      double x1 = inputs[2 * r + 1];
      for (int k = 0; k < background.count(); k++) {
        double weight = background.weights()[k];
        expected[2 * r] += weight * (x0 - b[2 * k]) * (x1 + b[2 * k + 1]) / 2;
        expected[2 * r + 1] += weight * (x1 - b[2 * k + 1]) * (x0 + b[2 * k]) / 2;
      }
    }
    int[] samples = {12, 192, 3072};
    double[] errors = new double[samples.length];
    double[] gaps = new double[samples.length];
    for (int k = 0; k < samples.length; k++) {
      Attributions attributions = explain(
          AnalyticModels.product(), background, FeatureGroups.identity(2), samples[k], 0, inputs, rows);
      errors[k] = rmsError(expected, attributions.values());
      gaps[k] = rmsError(new double[rows], gaps(attributions));
      // Independent samples would err by about the standard error; systematic and stratified
      // ones err less.
      double standardError = rmsError(new double[rows * 2], attributions.standardErrors());
      assertTrue(
          errors[k] < standardError,
          samples[k] + " samples: error " + errors[k] + ", standard error " + standardError);
      // Completeness holds in expectation only.
      assertTrue(gaps[k] > 0, samples[k] + " samples: gap");
      if (k > 0) {
        assertTrue(errors[k] < errors[k - 1], "errors " + Arrays.toString(errors));
        assertTrue(gaps[k] < gaps[k - 1], "gaps " + Arrays.toString(gaps));
      }
    }
    assertTrue(errors[2] < errors[0] / 10, "errors " + Arrays.toString(errors));
  }

  @Test
  void noiseMovesTheResultWithinItsStandardErrors() {
    // A linear model's per-sample estimate is w (x + noise - b): the noise is the only error.
    Background background = threeEqualRows(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    int rows = 20;
    float[] inputs = randomRows(rows, 5, 111);
    Attributions attributions =
        explain(ShapleyFixtures.linear(), background, groups, 48, 0.25, inputs, rows);
    double[] expected = ShapleyFixtures.linearShapley(
        ShapleyFixtures.LINEAR_W, inputs, rows, new int[rows], background, groups);
    for (int i = 0; i < expected.length; i++) {
      double error = Math.abs(attributions.values()[i] - expected[i]);
      double standardError = attributions.standardErrors()[i];
      assertTrue(error > 0, "value " + i + " is moved by the noise");
      assertTrue(
          error <= 4 * standardError,
          "value " + i + ": error " + error + ", standard error " + standardError);
    }
  }

  @Test
  void playersGetTheSumOfTheirColumns() {
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 1, 121);
    Background background = weightedRows(5);
    float[] inputs = randomRows(3, 5, 122);
    FeatureGroups oneHot = new FeatureGroups(new int[] {0, 1, 1, 1, 2}, 3);
    // The same seeds draw the same samples whatever the grouping.
    Attributions perColumn = explain(model, background, FeatureGroups.identity(5), 16, 0.1, inputs, 3);
    Attributions perPlayer = explain(model, background, oneHot, 16, 0.1, inputs, 3);
    double[] expected = new double[9];
    for (int r = 0; r < 3; r++) {
      expected[3 * r] = perColumn.value(r, 0);
      expected[3 * r + 1] = perColumn.value(r, 1) + perColumn.value(r, 2) + perColumn.value(r, 3);
      expected[3 * r + 2] = perColumn.value(r, 4);
    }
    assertClose(expected, perPlayer.values(), DOUBLE_SUM_ATOL, 0, "per-player attributions");
  }

  private static String constructionError(int samples, double noise) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> new GradientShap(
                ShapleyFixtures.linear(), oneRow(5), FeatureGroups.identity(5), samples, noise, 100))
        .getMessage();
  }

  @Test
  void packsSeveralRowsIntoEvenCallsWithoutChangingAnyRow() {
    // 6 rows of 24 samples are 144 points: in calls of at most 64 rows, three of 48, each holding
    // parts of three rows; alone, a row is one call of 24. f(x) comes from one forward call.
    ModelFunction network = ShapleyFixtures.tanhNetwork(5, 2, 5);
    Background background = threeEqualRows(5);
    int rows = 6;
    float[] inputs = randomRows(rows, 5, 17);
    int[] targets = {0, 1, 1, 0, 1, 0};
    long[] rowSeeds = seeds(rows);
    RecordingModel recorder = new RecordingModel(network);
    Attributions packed = new GradientShap(recorder, background, FeatureGroups.identity(5), 24, 0.1, 64)
        .attribute(inputs, rows, targets, rowSeeds);
    assertEquals(List.of(48, 48, 48), recorder.gradientRows());
    assertEquals(List.of(3, 6), recorder.forwardRows(), "the base values' forward call, then the rows'");
    GradientShap alone = new GradientShap(network, background, FeatureGroups.identity(5), 24, 0.1, 25);
    for (int r = 0; r < rows; r++) {
      Attributions one = alone.attribute(Arrays.copyOfRange(inputs, r * 5, r * 5 + 5), 1,
          new int[] {targets[r]}, new long[] {rowSeeds[r]});
      assertEquals(packed.outputs()[r], one.outputs()[0], "f(x), row " + r);
      for (int p = 0; p < 5; p++) {
        assertEquals(packed.value(r, p), one.value(0, p), "row " + r + ", player " + p);
        assertEquals(packed.standardError(r, p), one.standardError(0, p), "row " + r + ", player " + p);
      }
    }
  }

  @Test
  void rejectsTooFewSamplesAndBadNoise() {
    assertEquals(
        "Cannot compute gradient SHAP: samples must be at least 1, got 0", constructionError(0, 0));
    assertEquals(
        "Cannot compute gradient SHAP: noiseStdDev must be finite and non-negative, got -0.5",
        constructionError(10, -0.5));
    assertEquals(
        "Cannot compute gradient SHAP: noiseStdDev must be finite and non-negative, got NaN",
        constructionError(10, Double.NaN));
    assertEquals(
        "Cannot compute gradient SHAP: noiseStdDev must be finite and non-negative, got Infinity",
        constructionError(10, Double.POSITIVE_INFINITY));
  }

  @Test
  void rejectsAModelCallTooLargeForOneArray() {
    // One row's 500 million samples, of 5 columns, are more than 2^31 floats in one call.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new GradientShap(
        ShapleyFixtures.linear(), oneRow(5), FeatureGroups.identity(5), 500_000_000, 0, Integer.MAX_VALUE));
    assertEquals(
        "Cannot compute gradient SHAP: a model call of 500000000 rows of 5 columns would not fit in one "
            + "Java array; lower maxEvaluationRows",
        e.getMessage());
  }
}
