package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.assertIdentical;
import static org.attribution.method.ShapleyFixtures.backgrounds;
import static org.attribution.method.ShapleyFixtures.gaps;
import static org.attribution.method.ShapleyFixtures.oneAtATime;
import static org.attribution.method.ShapleyFixtures.oneRow;
import static org.attribution.method.ShapleyFixtures.randomRows;
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

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every SHAP method promises: Shapley values of a linear model, f(x) and the base value as
 * outputs and references, results that depend on each row's seed only, the documented cost, and
 * the same argument checks.
 */
class ShapleyMethodsTest {

  /** Model calls small enough that every test splits work across calls. */
  private static final int SMALL_CHUNK = 7;

  /**
   * The methods under test, with settings that make a linear model exact: a sample count that is
   * a multiple of 4 and 3, so that every fixture background's rows are drawn in proportion to
   * their weights exactly.
   */
  enum Method {
    EXACT("compute exact Shapley values") {
      @Override
      AttributionMethod create(
          ModelFunction model, Background background, FeatureGroups groups, int maxRows) {
        return new ExactShapley(model, background, groups, maxRows, 16);
      }

      @Override
      long evaluationsPerRow(int players, int backgroundRows) {
        return ((1L << players) - 2) * backgroundRows;
      }
    },
    SAMPLING("sample Shapley values") {
      @Override
      AttributionMethod create(
          ModelFunction model, Background background, FeatureGroups groups, int maxRows) {
        return new SamplingShapley(model, background, groups, PERMUTATIONS, maxRows);
      }

      /** At most: a coalition that a row's orderings reach again is not evaluated again. */
      @Override
      long evaluationsPerRow(int players, int backgroundRows) {
        return (long) PERMUTATIONS * (players - 1) * backgroundRows;
      }

      @Override
      boolean spendsAtMost() {
        return true;
      }
    },
    GRADIENT("compute gradient SHAP") {
      @Override
      AttributionMethod create(
          ModelFunction model, Background background, FeatureGroups groups, int maxRows) {
        return new GradientShap(model, background, groups, SAMPLES, 0, maxRows);
      }

      @Override
      long evaluationsPerRow(int players, int backgroundRows) {
        return SAMPLES;
      }
    };

    static final int PERMUTATIONS = 6;
    static final int SAMPLES = 24;

    /** The action its error messages name: "Cannot " + action + ": ...". */
    final String action;

    Method(String action) {
      this.action = action;
    }

    abstract AttributionMethod create(
        ModelFunction model, Background background, FeatureGroups groups, int maxRows);

    /** Model evaluations per row besides its own forward pass, as the class javadoc states. */
    abstract long evaluationsPerRow(int players, int backgroundRows);

    /** Whether {@link #evaluationsPerRow} is a bound rather than the count. */
    boolean spendsAtMost() {
      return false;
    }
  }

  static Stream<Arguments> methodsAndBackgrounds() {
    return Arrays.stream(Method.values())
        .flatMap(method -> backgrounds(5).stream().map(named -> Arguments.of(method, named)));
  }

  private static final FeatureGroups PER_COLUMN = FeatureGroups.identity(5);
  private static final FeatureGroups ONE_HOT = new FeatureGroups(new int[] {0, 1, 1, 1, 2}, 3);
  private static final List<Named<FeatureGroups>> GROUPS = List.of(
      Named.of("one player per column", PER_COLUMN),
      Named.of("columns 1 to 3 as one player", ONE_HOT));

  private static final float[] INPUTS = randomRows(4, 5, 3);
  private static final int[] TARGETS = {0, 1, 1, 0};
  private static final long[] SEEDS = seeds(4);

  // --- Known answers. ---------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}, {1}")
  @MethodSource("methodsAndBackgrounds")
  void linearModelGetsWeightsTimesDistanceFromTheBackgroundMean(
      Method method, Background background) {
    for (Named<FeatureGroups> groups : GROUPS) {
      Attributions attributions =
          method.create(ShapleyFixtures.linear(), background, groups.getPayload(), SMALL_CHUNK)
              .attribute(INPUTS, 4, TARGETS, SEEDS);
      double[] expected = ShapleyFixtures.linearShapley(
          ShapleyFixtures.LINEAR_W, INPUTS, 4, TARGETS, background, groups.getPayload());
      // Dyadic weights and inputs: outputs are exact in float, so only double sums round.
      assertClose(expected, attributions.values(), DOUBLE_SUM_ATOL, 0, groups.getName());
      assertClose(new double[4], gaps(attributions), DOUBLE_SUM_ATOL, 0, groups.getName() + ", gaps");
    }
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void outputsAreTheExplainedOutputsAndReferencesTheBaseValue(Method method) {
    Background background = weightedRows(5);
    Attributions attributions =
        method.create(ShapleyFixtures.linear(), background, PER_COLUMN, SMALL_CHUNK)
            .attribute(INPUTS, 4, TARGETS, SEEDS);
    double[] mean = ShapleyFixtures.weightedMean(background);
    double[] outputs = new double[4];
    double[] references = new double[4];
    for (int r = 0; r < 4; r++) {
      double[] w = ShapleyFixtures.LINEAR_W[TARGETS[r]];
      double bias = TARGETS[r] == 0 ? 0.5 : -1;
      outputs[r] = bias;
      references[r] = bias;
      for (int c = 0; c < 5; c++) {
        outputs[r] += w[c] * INPUTS[r * 5 + c];
        // A linear model's mean over the background is its value at the background mean.
        references[r] += w[c] * mean[c];
      }
    }
    assertClose(outputs, attributions.outputs(), DOUBLE_SUM_ATOL, 0, "outputs");
    assertClose(references, attributions.references(), DOUBLE_SUM_ATOL, 0, "references");
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"EXACT", "SAMPLING"})
  void coalitionMethodsSumToTheOutputMinusTheBaseValue(Method method) {
    int rows = 9;
    int[] targets = {0, 1, 2, 0, 1, 2, 0, 1, 2};
    AttributionMethod explainer = method.create(
        ShapleyFixtures.tanhNetwork(6, 3, 11), weightedRows(6), FeatureGroups.identity(6), SMALL_CHUNK);
    Attributions attributions =
        explainer.attribute(randomRows(rows, 6, 12), rows, targets, seeds(rows));
    // v(empty) and v(all) are the base value and f(x) themselves, so only double rounding is left.
    assertClose(new double[rows], gaps(attributions), DOUBLE_SUM_ATOL, 0, "gaps");
    assertTrue(Arrays.stream(attributions.values()).allMatch(v -> v != 0), "every player matters");
  }

  // --- Results depend on each row's seed only. --------------------------------------------------

  @ParameterizedTest
  @EnumSource(Method.class)
  void resultsDoNotDependOnTheBatchOrTheCallSize(Method method) {
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 2, 5);
    Background background = weightedRows(5);
    int rows = 6;
    float[] inputs = randomRows(rows, 5, 6);
    int[] targets = {0, 1, 0, 1, 1, 0};
    long[] seeds = seeds(rows);
    Attributions together = method.create(model, background, ONE_HOT, Integer.MAX_VALUE)
        .attribute(inputs, rows, targets, seeds);
    for (int maxRows : new int[] {1, SMALL_CHUNK, 64}) {
      AttributionMethod chunked = method.create(model, background, ONE_HOT, maxRows);
      assertIdentical(
          together, chunked.attribute(inputs, rows, targets, seeds), "calls of " + maxRows);
      assertIdentical(
          together,
          oneAtATime(chunked, inputs, rows, targets, seeds),
          "one row at a time, calls of " + maxRows);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Method.class, names = {"SAMPLING", "GRADIENT"})
  void otherSeedsGiveOtherSamples(Method method) {
    AttributionMethod explainer = method.create(
        ShapleyFixtures.tanhNetwork(5, 2, 5), threeEqualRows(5), PER_COLUMN, SMALL_CHUNK);
    Attributions first = explainer.attribute(INPUTS, 4, TARGETS, SEEDS);
    long[] otherSeeds = Arrays.stream(SEEDS).map(seed -> seed + 4).toArray();
    Attributions second = explainer.attribute(INPUTS, 4, TARGETS, otherSeeds);
    for (int r = 0; r < 4; r++) {
      assertFalse(
          Arrays.equals(
              Arrays.copyOfRange(first.values(), r * 5, r * 5 + 5),
              Arrays.copyOfRange(second.values(), r * 5, r * 5 + 5)),
          "row " + r);
    }
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void spendsTheDocumentedNumberOfModelEvaluations(Method method) {
    RecordingModel model = new RecordingModel(ShapleyFixtures.tanhNetwork(5, 2, 5));
    Background background = weightedRows(5);
    method.create(model, background, ONE_HOT, SMALL_CHUNK).attribute(INPUTS, 4, TARGETS, SEEDS);

    List<Integer> calls =
        Stream.concat(model.forwardRows().stream(), model.gradientRows().stream()).toList();
    assertTrue(calls.stream().allMatch(rows -> rows <= SMALL_CHUNK), "calls " + calls);
    // The base value (once per instance), each row's f(x), and the method's own evaluations.
    long expected = background.count() + 4
        + 4 * method.evaluationsPerRow(ONE_HOT.players(), background.count());
    long spent = calls.stream().mapToLong(Integer::longValue).sum();
    if (method.spendsAtMost()) {
      assertTrue(spent <= expected, spent + " evaluations, documented at most " + expected);
    } else {
      assertEquals(expected, spent);
    }
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void baseValuesShippedWithTheBackgroundAreReportedAsGivenWithoutEvaluatingTheBackground(Method method) {
    RecordingModel model = new RecordingModel(ShapleyFixtures.linear());
    // Not the model's mean over the background (the test above checks that one), so a recomputed
    // base value would show.
    double[] shipped = {0.3125, -2.5};
    Background background = weightedRows(5).withBaseValues(shipped);
    method.create(model, background, PER_COLUMN, SMALL_CHUNK);
    assertEquals(List.of(), model.forwardRows(), "the background was evaluated");

    Attributions attributions = method.create(ShapleyFixtures.linear(), background, PER_COLUMN, SMALL_CHUNK)
        .attribute(INPUTS, 4, TARGETS, SEEDS);
    double[] expected = Arrays.stream(TARGETS).mapToDouble(t -> shipped[t]).toArray();
    assertArrayEquals(expected, attributions.references(), 0);
    assertEquals(
        "Cannot " + method.action + ": the background carries 3 base values but the model has 2 outputs",
        constructionError(method, ShapleyFixtures.linear(), weightedRows(5).withBaseValues(new double[3]),
            PER_COLUMN, 100));
  }

  // --- Argument validation. ---------------------------------------------------------------------

  private static String constructionError(
      Method method, ModelFunction model, Background background, FeatureGroups groups, int maxRows) {
    return assertThrows(
            IllegalArgumentException.class, () -> method.create(model, background, groups, maxRows))
        .getMessage();
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void rejectsArgumentsThatDoNotFitTheModel(Method method) {
    ModelFunction linear = ShapleyFixtures.linear();
    assertEquals(
        "Cannot " + method.action + ": the background has 4 columns but the model takes 5",
        constructionError(method, linear, oneRow(4), PER_COLUMN, 100));
    assertEquals(
        "Cannot " + method.action + ": the feature groups cover 4 columns but the model takes 5",
        constructionError(method, linear, oneRow(5), FeatureGroups.identity(4), 100));
    assertEquals(
        "Cannot " + method.action + ": maxEvaluationRows must be at least 1, got 0",
        constructionError(method, linear, oneRow(5), PER_COLUMN, 0));
    ModelFunction noInputs = AnalyticModels.linear(new double[1][0], new double[1]);
    assertEquals(
        "Cannot " + method.action + ": there are no players to explain",
        constructionError(
            method, noInputs, Background.uniform(new float[0], 1, 0), FeatureGroups.identity(0), 100));
  }

  @ParameterizedTest
  @EnumSource(Method.class)
  void rejectsBatchesThatDoNotFitTheModel(Method method) {
    AttributionMethod explainer = method.create(ShapleyFixtures.linear(), oneRow(5), PER_COLUMN, 100);
    record Batch(float[] inputs, int rows, int[] targets, long[] seeds, String error) {}
    for (Batch batch : List.of(
        new Batch(new float[0], 0, new int[0], new long[0],
            "Cannot explain rows: the row count must be positive, got 0"),
        new Batch(new float[9], 2, new int[2], new long[2],
            "Cannot explain 2 rows: expected 2 x 5 input values, got 9"),
        new Batch(new float[10], 2, new int[1], new long[2],
            "Cannot explain 2 rows: expected 2 targets, got 1"),
        new Batch(new float[10], 2, new int[2], new long[1],
            "Cannot explain 2 rows: expected 2 row seeds, got 1"),
        new Batch(new float[10], 2, new int[] {1, 2}, new long[2],
            "Cannot explain row 1: target 2 is outside [0, 2)"),
        new Batch(new float[10], 2, new int[] {-1, 0}, new long[2],
            "Cannot explain row 0: target -1 is outside [0, 2)"))) {
      assertEquals(
          batch.error(),
          assertThrows(
                  IllegalArgumentException.class,
                  () -> explainer.attribute(
                      batch.inputs(), batch.rows(), batch.targets(), batch.seeds()))
              .getMessage());
    }
  }
}
