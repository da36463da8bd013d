package org.attribution.method;

import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;

import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_RTOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.OtherGradient;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Integrated Gradients on analytic models whose attributions are known in closed form, for every
 * integration rule.
 *
 * <p>Models compute in double but round inputs and results to float at the model boundary, so
 * comparisons are at float tolerance unless the gradients are exactly representable.
 */
class IntegratedGradientsTest {

  /**
   * For sums in double of exactly representable terms, where only the rounding of a few hundred
   * additions is left.
   */

  /** Model calls small enough that every test splits rows' steps across calls. */
  private static final int SMALL_CHUNK = 7;

  static Stream<Arguments> rulesAndSteps() {
    return Arrays.stream(IntegrationRule.values())
        .flatMap(
            rule ->
                IntStream.of(1, 2, 3, 16, 50)
                    .filter(steps -> rule != IntegrationRule.TRAPEZOID || steps >= 2)
                    .mapToObj(steps -> Arguments.of(rule, steps)));
  }

  private static IntegratedGradients ig(
      ModelFunction model,
      float[] baseline,
      IntegrationRule rule,
      int steps,
      int maxEvaluationRows) {
    return new IntegratedGradients(
        model,
        baseline,
        rule,
        steps,
        maxEvaluationRows,
        FeatureGroups.identity(model.inputWidth()));
  }

  /**
   * {@code sum_k w_k alpha_k}, the rule's integral of the identity: 1/2 unless Riemann left or
   * right.
   */
  private static double meanAlpha(IntegrationRule rule, int n) {
    return switch (rule) {
      case RIEMANN_LEFT -> (n - 1) / (2.0 * n);
      case RIEMANN_RIGHT -> (n + 1) / (2.0 * n);
      default -> 0.5;
    };
  }

  private static double[] gaps(Attributions attributions) {
    return IntStream.range(0, attributions.rows()).mapToDouble(attributions::gap).toArray();
  }

  // --- Linear: IG = (x - b) w for every rule, step count and target. -----------------------------

  private static final double[][] LINEAR_W = {{0.5, -2, 0.25, 1}, {-1.5, 0.75, 3, -0.125}};
  private static final float[] LINEAR_BASELINE = {0.5f, -1, 0.25f, 2};
  private static final float[] LINEAR_INPUTS = {1, 2, -0.5f, 4, -3, 0.25f, 1.5f, -2, 0, 0, 0, 0};
  private static final int[] LINEAR_TARGETS = {0, 1, 1};

  @ParameterizedTest
  @MethodSource("rulesAndSteps")
  void linearModelGetsInputMinusBaselineTimesWeights(IntegrationRule rule, int steps) {
    ModelFunction model = AnalyticModels.linear(LINEAR_W, new double[] {0.5, -1});
    Attributions attributions =
        ig(model, LINEAR_BASELINE, rule, steps, SMALL_CHUNK)
            .attribute(LINEAR_INPUTS, 3, LINEAR_TARGETS);

    double[] expected = new double[12];
    for (int r = 0; r < 3; r++) {
      for (int i = 0; i < 4; i++) {
        expected[r * 4 + i] =
            (LINEAR_INPUTS[r * 4 + i] - LINEAR_BASELINE[i]) * LINEAR_W[LINEAR_TARGETS[r]][i];
      }
    }
    // The weights are dyadic, so gradients are exact in float and only the weights' sum rounds.
    assertClose(expected, attributions.values(), DOUBLE_SUM_ATOL, 0, rule + " attributions");
    assertClose(new double[3], gaps(attributions), DOUBLE_SUM_ATOL, 0, rule + " completeness gap");
  }

  @Test
  void outputsAndReferencesAreTheTargetsValues() {
    ModelFunction model = AnalyticModels.linear(LINEAR_W, new double[] {0.5, -1});
    Attributions attributions =
        ig(model, LINEAR_BASELINE, IntegrationRule.GAUSS_LEGENDRE, 4, SMALL_CHUNK)
            .attribute(LINEAR_INPUTS, 3, LINEAR_TARGETS);
    // f_0(b) = 0.25 + 2 + 0.0625 + 2 + 0.5 and f_1(b) = -0.75 - 0.75 + 0.75 - 0.25 - 1.
    assertArrayEquals(new double[] {4.8125, -2, -2}, attributions.references());
    // f_0(x_0) = 0.5 - 4 - 0.125 + 4 + 0.5; f_1(x_1) = 4.5 + 0.1875 + 4.5 + 0.25 - 1; f_1(0) = -1.
    assertArrayEquals(new double[] {0.875, 8.4375, -1}, attributions.outputs());
  }

  // --- Gradients linear along the path: closed forms for every rule. ----------------------------

  @ParameterizedTest
  @MethodSource("rulesAndSteps")
  void productGetsItsClosedForm(IntegrationRule rule, int steps) {
    float[] baseline = {0.5f, 0.25f};
    float[] inputs = {1.5f, -2, 3, 1};
    Attributions attributions =
        ig(AnalyticModels.product(), baseline, rule, steps, SMALL_CHUNK)
            .attribute(inputs, 2, new int[] {0, 0});

    double m = meanAlpha(rule, steps);
    double[] expected = new double[4];
    double[] expectedGaps = new double[2];
    for (int r = 0; r < 2; r++) {
      double d0 = inputs[2 * r] - baseline[0];
      double d1 = inputs[2 * r + 1] - baseline[1];
      expected[2 * r] = d0 * (baseline[1] + m * d1);
      expected[2 * r + 1] = d1 * (baseline[0] + m * d0);
      // f(x) - f(b) = d0 b1 + d1 b0 + d0 d1, so the gap is what m misses of 1/2, twice.
      expectedGaps[r] = (2 * m - 1) * d0 * d1;
    }
    assertClose(
        expected, attributions.values(), FLOAT32_ATOL, FLOAT32_RTOL, rule + " attributions");
    assertClose(
        expectedGaps, gaps(attributions), FLOAT32_ATOL, FLOAT32_RTOL, rule + " completeness gap");
  }

  @ParameterizedTest
  @EnumSource(
      value = IntegrationRule.class,
      names = {"RIEMANN_MIDDLE", "TRAPEZOID", "GAUSS_LEGENDRE"})
  void productFromZeroSplitsTheOutputEvenly(IntegrationRule rule) {
    Attributions attributions =
        ig(AnalyticModels.product(), new float[2], rule, 10, SMALL_CHUNK)
            .attribute(new float[] {3, -5}, 1, new int[] {0});
    assertClose(
        new double[] {-7.5, -7.5}, attributions.values(), FLOAT32_ATOL, FLOAT32_RTOL, rule.id());
  }

  @ParameterizedTest
  @MethodSource("rulesAndSteps")
  void quadraticGetsItsClosedForm(IntegrationRule rule, int steps) {
    double[] c = {0.5, -1.25, 2};
    float[] baseline = {1, -0.5f, 0.25f};
    float[] inputs = {2, 1.5f, -1, -0.75f, 0, 3};
    Attributions attributions =
        ig(AnalyticModels.quadratic(c), baseline, rule, steps, SMALL_CHUNK)
            .attribute(inputs, 2, new int[] {0, 0});

    double m = meanAlpha(rule, steps);
    double[] expected = new double[6];
    for (int r = 0; r < 2; r++) {
      for (int i = 0; i < 3; i++) {
        double x = inputs[3 * r + i];
        double b = baseline[i];
        expected[3 * r + i] =
            m == 0.5 ? c[i] * (x * x - b * b) : 2 * c[i] * (x - b) * (b + m * (x - b));
      }
    }
    assertClose(
        expected, attributions.values(), FLOAT32_ATOL, FLOAT32_RTOL, rule + " attributions");
  }

  @Test
  void reproducesCaptumsReluExample() {
    // On the path a (3, 1) the gradient (1, -1) is on for a > 1/2; an even number of midpoints
    // puts exactly half of them there.
    Attributions attributions =
        ig(
                AnalyticModels.captumReluExample(),
                new float[2],
                IntegrationRule.RIEMANN_MIDDLE,
                50,
                SMALL_CHUNK)
            .attribute(new float[] {3, 1}, 1, new int[] {0});
    assertClose(
        new double[] {1.5, -0.5},
        attributions.values(),
        FLOAT32_ATOL,
        FLOAT32_RTOL,
        "attributions");
    assertArrayEquals(new double[] {1}, attributions.outputs());
    assertArrayEquals(new double[] {0}, attributions.references());
  }

  // --- A smooth non-polynomial model: quadrature error within its theoretical bounds. ------------

  private static final double[][] EXP_W = {{0.75, -0.5, 0.25}, {-0.25, 0.5, 1}};
  private static final float[] EXP_BASELINE = {0.25f, 0.5f, -0.5f};

  /**
   * Two points, each explained for both outputs; w . (x - b) is 1.9375, 1.5625, -1.0625, 1.9375.
   */
  private static final float[] EXP_INPUTS = {1, -1, 2, 1, -1, 2, -0.5f, 2, 0.5f, -0.5f, 2, 0.5f};

  private static final int[] EXP_TARGETS = {0, 1, 0, 1};
  private static final int EXP_ROWS = 4;

  /** Row r of the exponential batch: on its path the gradient is w h(a), h(a) = exp(s + a d). */
  private record ExpPath(double[] w, double s, double d) {
    static ExpPath ofRow(int r) {
      double[] w = EXP_W[EXP_TARGETS[r]];
      double s = 0;
      double d = 0;
      for (int i = 0; i < 3; i++) {
        s += w[i] * EXP_BASELINE[i];
        d += w[i] * (EXP_INPUTS[3 * r + i] - EXP_BASELINE[i]);
      }
      return new ExpPath(w, s, d);
    }

    /** The exact integral of h over [0, 1]. */
    double integral() {
      return (Math.exp(s + d) - Math.exp(s)) / d;
    }
  }

  /**
   * For row r and column i, the quadrature error {@code Q - I} of the rule on h, recovered from the
   * attribution {@code (x_i - b_i) w_i Q}.
   */
  private static double[] quadratureErrors(IntegrationRule rule, int steps) {
    Attributions attributions =
        ig(AnalyticModels.exponential(EXP_W), EXP_BASELINE, rule, steps, SMALL_CHUNK)
            .attribute(EXP_INPUTS, EXP_ROWS, EXP_TARGETS);
    double[] errors = new double[EXP_ROWS * 3];
    for (int r = 0; r < EXP_ROWS; r++) {
      ExpPath path = ExpPath.ofRow(r);
      for (int i = 0; i < 3; i++) {
        double scale = (EXP_INPUTS[3 * r + i] - EXP_BASELINE[i]) * path.w()[i];
        errors[3 * r + i] = attributions.value(r, i) / scale - path.integral();
      }
    }
    return errors;
  }

  /**
   * A rule's error {@code Q - I} with n points is {@code factor * g^(order)(xi)} for some xi
   * between 0 and 1, or for the composite rules a mean of such values, which lies in the same
   * range.
   */
  private record ErrorTerm(double factor, int order) {
    static ErrorTerm of(IntegrationRule rule, int n) {
      return switch (rule) {
        case RIEMANN_LEFT -> new ErrorTerm(-1.0 / (2 * n), 1);
        case RIEMANN_RIGHT -> new ErrorTerm(1.0 / (2 * n), 1);
        case RIEMANN_MIDDLE -> new ErrorTerm(-1.0 / (24.0 * n * n), 2);
        case TRAPEZOID -> new ErrorTerm(1.0 / (12.0 * (n - 1) * (n - 1)), 2);
        // (n!)^4 / ((2n+1) ((2n)!)^3) overflows as a ratio of factorials: work in logs.
        case GAUSS_LEGENDRE ->
            new ErrorTerm(
                -Math.exp(4 * logFactorial(n) - Math.log(2 * n + 1) - 3 * logFactorial(2 * n)),
                2 * n);
      };
    }
  }

  @ParameterizedTest
  @MethodSource("rulesAndSteps")
  void exponentialErrorIsWithinTheRulesErrorTerm(IntegrationRule rule, int steps) {
    ErrorTerm term = ErrorTerm.of(rule, steps);
    double[] errors = quadratureErrors(rule, steps);
    for (int r = 0; r < EXP_ROWS; r++) {
      ExpPath path = ExpPath.ofRow(r);
      // g^(p)(a) = d^p h(a) is monotone in a, so its values at the ends bound the error.
      double atStart = term.factor() * Math.pow(path.d(), term.order()) * Math.exp(path.s());
      double atEnd = atStart * Math.exp(path.d());
      double noise =
          FLOAT32_ATOL + FLOAT32_RTOL * Math.max(Math.exp(path.s()), Math.exp(path.s() + path.d()));
      for (int i = 0; i < 3; i++) {
        double error = errors[3 * r + i];
        assertTrue(
            error >= Math.min(atStart, atEnd) - noise && error <= Math.max(atStart, atEnd) + noise,
            String.format(
                "%s with %d steps, row %d, column %d: error %g outside [%g, %g] +- %g",
                rule,
                steps,
                r,
                i,
                error,
                Math.min(atStart, atEnd),
                Math.max(atStart, atEnd),
                noise));
      }
    }
  }

  private static double logFactorial(int n) {
    double sum = 0;
    for (int i = 2; i <= n; i++) {
      sum += Math.log(i);
    }
    return sum;
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 8})
  void atEqualCostGaussLegendreBeatsMidpointBeatsTrapezoidBeatsRiemann(int steps) {
    double[] gauss = quadratureErrors(IntegrationRule.GAUSS_LEGENDRE, steps);
    double[] middle = quadratureErrors(IntegrationRule.RIEMANN_MIDDLE, steps);
    double[] trapezoid = quadratureErrors(IntegrationRule.TRAPEZOID, steps);
    double[] left = quadratureErrors(IntegrationRule.RIEMANN_LEFT, steps);
    double[] right = quadratureErrors(IntegrationRule.RIEMANN_RIGHT, steps);
    for (int j = 0; j < gauss.length; j++) {
      String at = steps + " steps, value " + j;
      assertTrue(
          Math.abs(gauss[j]) < Math.abs(middle[j]), "gauss_legendre vs riemann_middle, " + at);
      assertTrue(
          Math.abs(middle[j]) < Math.abs(trapezoid[j]), "riemann_middle vs trapezoid, " + at);
      assertTrue(Math.abs(trapezoid[j]) < Math.abs(left[j]), "trapezoid vs riemann_left, " + at);
      assertTrue(Math.abs(trapezoid[j]) < Math.abs(right[j]), "trapezoid vs riemann_right, " + at);
    }
  }

  @ParameterizedTest
  @EnumSource(IntegrationRule.class)
  void errorShrinksAsStepsGrow(IntegrationRule rule) {
    // Gauss-Legendre reaches float noise after a few points, so it is followed for fewer steps.
    int[] steps =
        rule == IntegrationRule.GAUSS_LEGENDRE ? new int[] {2, 3} : new int[] {2, 4, 16, 64};
    double[] previous = quadratureErrors(rule, steps[0]);
    for (int k = 1; k < steps.length; k++) {
      double[] errors = quadratureErrors(rule, steps[k]);
      for (int j = 0; j < errors.length; j++) {
        assertTrue(
            Math.abs(errors[j]) < Math.abs(previous[j]),
            rule + " from " + steps[k - 1] + " to " + steps[k] + " steps, value " + j);
      }
      previous = errors;
    }
  }

  @Test
  void gaussLegendreClosesTheCompletenessGap() {
    Attributions attributions =
        ig(
                AnalyticModels.exponential(EXP_W),
                EXP_BASELINE,
                IntegrationRule.GAUSS_LEGENDRE,
                16,
                SMALL_CHUNK)
            .attribute(EXP_INPUTS, EXP_ROWS, EXP_TARGETS);
    for (int r = 0; r < EXP_ROWS; r++) {
      assertEquals(
          0,
          attributions.gap(r),
          FLOAT32_ATOL + FLOAT32_RTOL * Math.abs(attributions.outputs()[r]),
          "row " + r);
    }
  }

  // --- Chunking: the memory budget changes how the model is called, never the result. ------------

  @ParameterizedTest
  @EnumSource(IntegrationRule.class)
  void chunkSizeChangesNoBitOfTheResult(IntegrationRule rule) {
    int steps = 13;
    Attributions unchunked =
        ig(AnalyticModels.exponential(EXP_W), EXP_BASELINE, rule, steps, Integer.MAX_VALUE)
            .attribute(EXP_INPUTS, EXP_ROWS, EXP_TARGETS);
    for (int maxRows :
        new int[] {1, 3, SMALL_CHUNK, steps, steps + 1, EXP_ROWS * steps - 1, EXP_ROWS * steps}) {
      RecordingModel model = new RecordingModel(AnalyticModels.exponential(EXP_W));
      Attributions chunked =
          ig(model, EXP_BASELINE, rule, steps, maxRows)
              .attribute(EXP_INPUTS, EXP_ROWS, EXP_TARGETS);

      assertArrayEquals(
          unchunked.values(), chunked.values(), rule + " values, chunks of " + maxRows);
      assertArrayEquals(
          unchunked.outputs(), chunked.outputs(), rule + " outputs, chunks of " + maxRows);
      assertArrayEquals(
          unchunked.references(), chunked.references(), rule + " references, chunks of " + maxRows);

      List<Integer> gradientRows = model.gradientRows();
      assertEquals(
          (EXP_ROWS * steps + maxRows - 1) / maxRows, gradientRows.size(), "gradient calls");
      assertTrue(
          gradientRows.stream().allMatch(rows -> rows <= maxRows),
          "gradient calls " + gradientRows);
      assertEquals(EXP_ROWS * steps, gradientRows.stream().mapToInt(Integer::intValue).sum());
      // One forward for the baseline, then the rows in chunks.
      List<Integer> forwardRows = model.forwardRows();
      assertEquals(1 + (EXP_ROWS + maxRows - 1) / maxRows, forwardRows.size(), "forward calls");
      assertTrue(
          forwardRows.stream().allMatch(rows -> rows <= maxRows), "forward calls " + forwardRows);
      assertEquals(1 + EXP_ROWS, forwardRows.stream().mapToInt(Integer::intValue).sum());
    }
  }

  // --- Feature groups. --------------------------------------------------------------------------

  @Test
  void oneHotGroupGetsTheSumOfItsColumns() {
    // Columns: a numeric feature, a categorical one as three one-hot columns, another numeric.
    double[][] w = {{0.5, -0.25, 0.75, 0.125, -0.5}};
    float[] baseline = {0.5f, 0, 0, 0, -1};
    float[] inputs = {1.5f, 0, 1, 0, 0.5f, -1, 1, 0, 0, 2};
    int[] targets = {0, 0};
    FeatureGroups groups = new FeatureGroups(new int[] {0, 1, 1, 1, 2}, 3);
    ModelFunction model = AnalyticModels.exponential(w);

    Attributions perColumn =
        ig(model, baseline, IntegrationRule.GAUSS_LEGENDRE, 16, SMALL_CHUNK)
            .attribute(inputs, 2, targets);
    Attributions perPlayer =
        new IntegratedGradients(
                model, baseline, IntegrationRule.GAUSS_LEGENDRE, 16, SMALL_CHUNK, groups)
            .attribute(inputs, 2, targets);

    assertEquals(3, perPlayer.players());
    double[] expected = new double[6];
    for (int r = 0; r < 2; r++) {
      expected[3 * r] = perColumn.value(r, 0);
      expected[3 * r + 1] = perColumn.value(r, 1) + perColumn.value(r, 2) + perColumn.value(r, 3);
      expected[3 * r + 2] = perColumn.value(r, 4);
    }
    assertClose(expected, perPlayer.values(), DOUBLE_SUM_ATOL, 0, "per-player attributions");
    for (int r = 0; r < 2; r++) {
      assertEquals(perColumn.gap(r), perPlayer.gap(r), DOUBLE_SUM_ATOL, "gap of row " + r);
      assertEquals(
          0, perPlayer.gap(r), FLOAT32_ATOL + FLOAT32_RTOL * Math.abs(perPlayer.outputs()[r]));
    }
  }

  // --- Argument validation. ---------------------------------------------------------------------

  private static final ModelFunction LINEAR = AnalyticModels.linear(LINEAR_W, new double[] {0, 0});

  private static String constructionError(
      float[] baseline, IntegrationRule rule, int steps, int maxRows, FeatureGroups groups) {
    return assertThrows(
            IllegalArgumentException.class,
            () -> new IntegratedGradients(LINEAR, baseline, rule, steps, maxRows, groups))
        .getMessage();
  }

  @Test
  void rejectsConstructionArgumentsThatDoNotFitTheModel() {
    FeatureGroups four = FeatureGroups.identity(4);
    IntegrationRule rule = IntegrationRule.RIEMANN_MIDDLE;
    assertEquals(
        "Cannot integrate gradients: the baseline has 3 columns but the model takes 4",
        constructionError(new float[3], rule, 10, 100, four));
    assertEquals(
        "Cannot integrate gradients: baseline column 1 is NaN",
        constructionError(new float[] {0, Float.NaN, 0, 0}, rule, 10, 100, four));
    assertEquals(
        "Cannot integrate gradients: maxEvaluationRows must be at least 1, got 0",
        constructionError(new float[4], rule, 10, 0, four));
    assertEquals(
        "Cannot integrate gradients: the feature groups cover 3 columns but the model takes 4",
        constructionError(new float[4], rule, 10, 100, FeatureGroups.identity(3)));
    assertEquals(
        "Cannot use trapezoid with 1 steps: needs at least 2, one at each end of the path",
        constructionError(new float[4], IntegrationRule.TRAPEZOID, 1, 100, four));
  }

  private static String attributionError(float[] inputs, int rows, int[] targets) {
    IntegratedGradients method = ig(LINEAR, new float[4], IntegrationRule.RIEMANN_MIDDLE, 10, 100);
    return assertThrows(
            IllegalArgumentException.class, () -> method.attribute(inputs, rows, targets))
        .getMessage();
  }

  @Test
  void rejectsBatchesThatDoNotFitTheModel() {
    assertEquals(
        "Cannot explain rows: the row count must be positive, got 0",
        attributionError(new float[0], 0, new int[0]));
    assertEquals(
        "Cannot explain 2 rows: expected 2 x 4 input values, got 7",
        attributionError(new float[7], 2, new int[2]));
    assertEquals(
        "Cannot explain 2 rows: expected 2 targets, got 1",
        attributionError(new float[8], 2, new int[1]));
    assertEquals(
        "Cannot explain row 1: target 2 is outside [0, 2)",
        attributionError(new float[8], 2, new int[] {1, 2}));
    assertEquals(
        "Cannot explain row 0: target -1 is outside [0, 2)",
        attributionError(new float[8], 2, new int[] {-1, 0}));
  }

  @Test
  void rejectsAModelCallTooLargeForOneArray() {
    // 537 rows x 10^6 steps x 4 columns is just over 2^31 floats.
    IntegratedGradients method =
        ig(LINEAR, new float[4], IntegrationRule.RIEMANN_MIDDLE, 1_000_000, Integer.MAX_VALUE);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> method.attribute(new float[537 * 4], 537, new int[537]));
    assertEquals(
        "Cannot explain 537 rows: a model call of 537000000 rows of 4 columns would not fit in one "
            + "Java array; lower maxEvaluationRows",
        e.getMessage());
  }

  @Test
  void rejectsAModelThatReturnsTheWrongNumberOfGradients() {
    ModelFunction truncating = new OtherGradient(LINEAR,
        (inputs, rows, targets, outputs) -> Arrays.copyOf(LINEAR.gradient(inputs, rows, targets, outputs), 3));
    IntegratedGradients method =
        ig(truncating, new float[4], IntegrationRule.RIEMANN_MIDDLE, 2, 100);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> method.attribute(new float[4], 1, new int[] {0}));
    assertEquals(
        "Cannot integrate gradients: the model returned 3 gradient values for 2 rows of 4",
        e.getMessage());
  }
}
