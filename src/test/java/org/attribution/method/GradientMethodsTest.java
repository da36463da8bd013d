package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.LINEAR_W;
import static org.attribution.method.ShapleyFixtures.gaps;
import static org.attribution.method.ShapleyFixtures.linear;
import static org.attribution.method.ShapleyFixtures.oneAtATime;
import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.seeds;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Saliency, input x gradient and SmoothGrad against closed forms: a linear model's gradient is its
 * weights everywhere, a quadratic's is {@code 2 c x}, and noise of known spread moves the
 * quadratic's gradient by a known amount.
 */
class GradientMethodsTest {

  private static final int ROWS = 12;
  private static final float[] INPUTS = randomRows(ROWS, 5, 3);
  /** Targets alternating between the linear model's two outputs. */
  private static final int[] TARGETS = {0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1};
  private static final float[] BASELINE = {0.25f, -0.5f, 1, 0, 2};

  /** w[target] of each row, or its absolute value, per column. */
  private static double[] weightsPerRow(boolean absolute) {
    double[] expected = new double[ROWS * 5];
    for (int r = 0; r < ROWS; r++) {
      for (int c = 0; c < 5; c++) {
        double w = LINEAR_W[TARGETS[r]][c];
        expected[r * 5 + c] = absolute ? Math.abs(w) : w;
      }
    }
    return expected;
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void saliencyOfALinearModelIsItsWeights(boolean absolute) {
    Attributions a = new Saliency(linear(), absolute, 5, FeatureGroups.identity(5)).attribute(INPUTS, ROWS, TARGETS);
    assertClose(weightsPerRow(absolute), a.values(), 0, 0, "saliency");
    // No reference: the reference is f(x), so the gap is the sum of the attributions.
    assertArrayEquals(a.outputs(), a.references());
    for (int r = 0; r < ROWS; r++) {
      assertEquals(Arrays.stream(a.values(), r * 5, r * 5 + 5).sum(), a.gap(r), 1e-12);
    }
  }

  @Test
  void saliencyOfAPlayerOfSeveralColumnsSumsTheirAbsoluteGradients() {
    // Columns {0, 2} and {1, 3, 4}: w[0] = (0.5, -2, 0.25, 1, -0.75).
    FeatureGroups groups = new FeatureGroups(new int[] {0, 1, 0, 1, 1}, 2);
    Attributions a = new Saliency(linear(), true, 64, groups).attribute(Arrays.copyOf(INPUTS, 5), 1, new int[1]);
    assertClose(new double[] {0.75, 3.75}, a.values(), 0, 0, "grouped saliency");
  }

  @Test
  void saliencyIsTheGradientAtTheRowItself() {
    double[] c = {0.5, -1.5, 2};
    float[] x = {1, 2, -0.5f};
    Attributions a = new Saliency(AnalyticModels.quadratic(c), false, 64, FeatureGroups.identity(3))
        .attribute(x, 1, new int[1]);
    assertClose(new double[] {1, -6, -2}, a.values(), 0, 0, "2 c x");
    assertEquals(0.5 + -1.5 * 4 + 2 * 0.25, a.outputs()[0], 1e-6);
  }

  @Test
  void inputXGradientOfALinearModelIsWeightsTimesOffsetAndEqualsIntegratedGradients() {
    FeatureGroups groups = FeatureGroups.identity(5);
    Attributions a = new InputXGradient(linear(), BASELINE, 5, groups).attribute(INPUTS, ROWS, TARGETS);
    double[] expected = weightsPerRow(false);
    for (int i = 0; i < expected.length; i++) {
      expected[i] *= INPUTS[i] - BASELINE[i % 5];
    }
    assertClose(expected, a.values(), 1e-12, 0, "w (x - b)");
    Attributions ig = new IntegratedGradients(linear(), BASELINE, IntegrationRule.fromId("gauss_legendre"), 8, 64,
        groups).attribute(INPUTS, ROWS, TARGETS);
    assertClose(ig.values(), a.values(), 1e-6, 1e-6, "integrated gradients");
    assertClose(ig.references(), a.references(), 0, 0, "f(baseline)");
    // A linear model is where input x gradient adds up.
    assertClose(new double[ROWS], gaps(a), 1e-5, 0, "gaps");
  }

  @Test
  void inputXGradientOfAQuadraticIsItsFirstOrderTerm() {
    // d/dx (c x^2) = 2 c x, so the attribution is 2 c x (x - b), not IG's c (x^2 - b^2).
    double[] c = {0.5, -1.5};
    float[] x = {1, 2};
    float[] b = {0.5f, -1};
    Attributions a = new InputXGradient(AnalyticModels.quadratic(c), b, 64, FeatureGroups.identity(2))
        .attribute(x, 1, new int[1]);
    assertClose(new double[] {2 * 0.5 * 1 * 0.5, 2 * -1.5 * 2 * 3}, a.values(), 1e-12, 0, "2 c x (x - b)");
    assertEquals(0.5 * 0.25 - 1.5, a.references()[0], 1e-6);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 5, 7, 1000})
  void gradientMethodsDoNotDependOnTheCallSize(int maxEvaluationRows) {
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 2, 9);
    FeatureGroups groups = FeatureGroups.identity(5);
    assertArrayEquals(
        new Saliency(model, true, 1000, groups).attribute(INPUTS, ROWS, TARGETS).values(),
        new Saliency(model, true, maxEvaluationRows, groups).attribute(INPUTS, ROWS, TARGETS).values());
    assertArrayEquals(
        new InputXGradient(model, BASELINE, 1000, groups).attribute(INPUTS, ROWS, TARGETS).values(),
        new InputXGradient(model, BASELINE, maxEvaluationRows, groups).attribute(INPUTS, ROWS, TARGETS).values());
  }

  @Test
  void inputXGradientRejectsABaselineOfAnotherWidth() {
    assertEquals("Cannot compute input x gradient: the baseline has 2 columns but the model takes 5",
        assertThrows(IllegalArgumentException.class,
            () -> new InputXGradient(linear(), new float[2], 64, FeatureGroups.identity(5))).getMessage());
  }

  private static SmoothGrad smoothSaliency(ModelFunction model, boolean absolute, double noise, int samples,
      SmoothGrad.Aggregate aggregate, int maxEvaluationRows) {
    int width = model.inputWidth();
    double[] scale = new double[width];
    Arrays.fill(scale, noise);
    return new SmoothGrad(new Saliency(model, absolute, maxEvaluationRows, FeatureGroups.identity(width)), model,
        scale, samples, aggregate, maxEvaluationRows);
  }

  @ParameterizedTest
  @ValueSource(doubles = {0, 0.1, 10})
  void smoothGradOfALinearModelIsItsGradientWhateverTheNoise(double noise) {
    for (boolean absolute : new boolean[] {true, false}) {
      Attributions mean = smoothSaliency(linear(), absolute, noise, 16, SmoothGrad.Aggregate.MEAN, 7)
          .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS));
      assertClose(weightsPerRow(absolute), mean.values(), 1e-12, 0, "SmoothGrad");
      double[] squares = Arrays.stream(weightsPerRow(absolute)).map(w -> w * w).toArray();
      assertClose(squares, smoothSaliency(linear(), absolute, noise, 16, SmoothGrad.Aggregate.MEAN_SQUARE, 7)
          .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS)).values(), 1e-12, 0, "SmoothGrad squared");
      assertClose(new double[ROWS * 5], smoothSaliency(linear(), absolute, noise, 16, SmoothGrad.Aggregate.VARIANCE, 7)
          .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS)).values(), 0, 0, "VarGrad");
    }
  }

  @Test
  void smoothGradOfAQuadraticMovesByTheNoisesKnownMoments() {
    // Gradient 2 c (x + e), e ~ N(0, s^2): its mean is 2 c x, its mean square 4 c^2 (x^2 + s^2),
    // its variance 4 c^2 s^2. With n copies the sample mean strays by about 2 |c| s / sqrt(n).
    double[] c = {0.5, -1.5};
    float[] x = {1, 2};
    double s = 0.5;
    int n = 40_000;
    ModelFunction model = AnalyticModels.quadratic(c);
    long[] seed = {77};
    double[] mean = smoothSaliency(model, false, s, n, SmoothGrad.Aggregate.MEAN, 4096)
        .attribute(x, 1, new int[1], seed).values();
    double[] square = smoothSaliency(model, false, s, n, SmoothGrad.Aggregate.MEAN_SQUARE, 4096)
        .attribute(x, 1, new int[1], seed).values();
    double[] variance = smoothSaliency(model, false, s, n, SmoothGrad.Aggregate.VARIANCE, 4096)
        .attribute(x, 1, new int[1], seed).values();
    for (int i = 0; i < 2; i++) {
      double spread = 2 * Math.abs(c[i]) * s;
      assertEquals(2 * c[i] * x[i], mean[i], 4 * spread / Math.sqrt(n), "mean " + i);
      assertEquals(4 * c[i] * c[i] * (x[i] * x[i] + s * s), square[i], 0.02 * square[i], "mean square " + i);
      assertEquals(spread * spread, variance[i], 0.03 * spread * spread, "variance " + i);
      // Mean square = mean^2 + variance holds for the same copies to rounding.
      assertEquals(square[i], mean[i] * mean[i] + variance[i], 1e-9 * square[i], "identity " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(SmoothGrad.Aggregate.class)
  void aRowsNoiseDependsOnItsSeedAloneNotOnItsBatch(SmoothGrad.Aggregate aggregate) {
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 2, 9);
    long[] seeds = seeds(ROWS);
    Attributions together =
        smoothSaliency(model, false, 0.3, 10, aggregate, 64).attribute(INPUTS, ROWS, TARGETS, seeds);
    SmoothGrad smallCalls = smoothSaliency(model, false, 0.3, 10, aggregate, 3);
    assertArrayEquals(together.values(), smallCalls.attribute(INPUTS, ROWS, TARGETS, seeds).values());
    assertArrayEquals(together.values(), oneAtATime(smallCalls, INPUTS, ROWS, TARGETS, seeds).values());
    long[] otherSeeds = Arrays.stream(seeds).map(s -> s + 1).toArray();
    assertFalse(Arrays.equals(together.values(),
        smoothSaliency(model, false, 0.3, 10, aggregate, 64).attribute(INPUTS, ROWS, TARGETS, otherSeeds).values()));
  }

  @Test
  void smoothGradWithoutNoiseIsTheWrappedMethodAndKeepsItsReference() {
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 2, 9);
    FeatureGroups groups = FeatureGroups.identity(5);
    AttributionMethod ig = new IntegratedGradients(model, BASELINE, IntegrationRule.fromId("gauss_legendre"), 16, 64,
        groups);
    Attributions wrapped = ig.attribute(INPUTS, ROWS, TARGETS);
    Attributions smooth = new SmoothGrad(ig, model, new double[5], 3, SmoothGrad.Aggregate.MEAN, 64)
        .attribute(INPUTS, ROWS, TARGETS, seeds(ROWS));
    assertClose(wrapped.values(), smooth.values(), 1e-12, 1e-12, "values");
    assertClose(wrapped.references(), smooth.references(), 1e-12, 0, "references");
    assertClose(wrapped.outputs(), smooth.outputs(), 1e-6, 1e-6, "outputs");
  }
}
