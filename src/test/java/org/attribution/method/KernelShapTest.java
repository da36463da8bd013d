package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.weightedRows;
import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_RTOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.attribution.model.ModelFunction;
import org.attribution.testing.BruteForceShapley;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kernel SHAP against Shapley values by definition ({@link BruteForceShapley}) and by exact
 * enumeration ({@link ExactShapley}, itself checked against the definition) on tanh networks, and
 * against closed forms on analytic models.
 */
class KernelShapTest {

  /**
   * Kernel SHAP with every coalition enumerated against Shapley values by definition, from the same
   * float model outputs: both are exact, and differ by the rounding of a least-squares solve over
   * up to 254 coalitions and of a sum over 40320 orderings.
   */
  private static final double EXACT_ATOL = 1e-9;

  private static final int MAX_EVALUATION_ROWS = 4096;

  /** A tanh network over M players (one per column), its background and rows to explain. */
  private record Scenario(
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      float[] inputs,
      int rows,
      int[] targets) {

    /** One output, 8 hidden units; background rows weighted 1/2, 1/4, 1/4 and 0. */
    static Scenario network(int players, int rows, long seed) {
      return new Scenario(
          ShapleyFixtures.tanhNetwork(players, 1, seed),
          weightedRows(players),
          FeatureGroups.identity(players),
          randomRows(rows, players, seed),
          rows,
          new int[rows]);
    }

    float[] row(int r) {
      int width = groups.columns();
      return Arrays.copyOfRange(inputs, r * width, (r + 1) * width);
    }

    KernelShap kernelShap(int budget, int maxEvaluationRows) {
      return new KernelShap(model, background, groups, budget, maxEvaluationRows);
    }

    /** Explains every row, with row seeds counting up from {@code firstSeed}. */
    Attributions explain(int budget, long firstSeed) {
      long[] seeds = LongStream.range(firstSeed, firstSeed + rows).toArray();
      return kernelShap(budget, MAX_EVALUATION_ROWS).attribute(inputs, rows, targets, seeds);
    }

    double[] exact() {
      return new ExactShapley(model, background, groups, MAX_EVALUATION_ROWS, 20)
          .attribute(inputs, rows, targets)
          .values();
    }
  }

  // --- Full enumeration is exact. ----------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
  void everyCoalitionEnumeratedGivesTheShapleyValues(int players) {
    // Player 1 is a categorical feature of three one-hot columns; the others are numeric.
    int width = players + 2;
    int[] playerOfColumn = new int[width];
    for (int c = 0; c < width; c++) {
      playerOfColumn[c] = c == 0 ? 0 : c <= 3 ? 1 : c - 2;
    }
    FeatureGroups groups = new FeatureGroups(playerOfColumn, players);
    int rows = 3;
    float[] inputs = randomRows(rows, width, players);
    for (int r = 0; r < rows; r++) {
      setCategory(inputs, r * width, r % 3);
    }
    float[] backgroundRows = randomRows(3, width, players + 100);
    for (int b = 0; b < 3; b++) {
      setCategory(backgroundRows, b * width, (b + 1) % 3);
    }
    Background background = new Background(backgroundRows, 3, width, new double[] {2, 1, 1});
    Scenario scenario =
        new Scenario(
            ShapleyFixtures.tanhNetwork(width, 1, players),
            background,
            groups,
            inputs,
            rows,
            new int[rows]);

    Attributions attributions = scenario.explain((1 << players) - 2, 0);
    for (int r = 0; r < rows; r++) {
      double[] expected =
          BruteForceShapley.values(scenario.model(), background, groups, scenario.row(r), 0);
      double[] actual = Arrays.copyOfRange(attributions.values(), r * players, (r + 1) * players);
      assertClose(expected, actual, EXACT_ATOL, 0, players + " players, row " + r);
      assertEquals(0, attributions.gap(r), DOUBLE_SUM_ATOL, "gap of row " + r);
    }
    assertArrayEquals(new double[rows * players], attributions.standardErrors(), "standard errors");
  }

  /** Sets the one-hot columns 1 to 3 of the row at {@code offset} to category {@code hot}. */
  private static void setCategory(float[] rows, int offset, int hot) {
    for (int k = 0; k < 3; k++) {
      rows[offset + 1 + k] = k == hot ? 1 : 0;
    }
  }

  // --- Closed forms. -----------------------------------------------------------------------------

  /**
   * Any budget whose coalitions tell every player apart: the fit is then exact for an additive
   * model, sampled or not. (A budget of a few coalitions can fail to: see {@link
   * #aBudgetTooSmallToTellPlayersApartHasNoStandardErrors}.)
   */
  @ParameterizedTest
  @ValueSource(ints = {10, 16, 30, 2058})
  void linearModelGetsWeightTimesDistanceFromTheBackgroundMeanAtAnyBudget(int budget) {
    // Columns 1 and 2 form one player, as a categorical feature's one-hot columns would.
    FeatureGroups groups = new FeatureGroups(new int[] {0, 1, 1, 2, 3}, 4);
    Background background = weightedRows(5);
    float[] inputs = randomRows(6, 5, 31);
    int[] targets = {0, 1, 1, 0, 1, 0};
    Attributions attributions =
        new KernelShap(ShapleyFixtures.linear(), background, groups, budget, MAX_EVALUATION_ROWS)
            .attribute(inputs, 6, targets, ShapleyFixtures.seeds(6));
    assertClose(
        ShapleyFixtures.linearShapley(
            ShapleyFixtures.LINEAR_W, inputs, 6, targets, background, groups),
        attributions.values(),
        DOUBLE_SUM_ATOL,
        0,
        "budget " + budget);
    assertTrue(
        Arrays.stream(attributions.standardErrors()).noneMatch(Double::isNaN),
        "every row's coalitions identify its values");
  }

  @Test
  void interactionsGetTheirClosedFormWithEveryCoalition() {
    Background background = weightedRows(5);
    float[] inputs = randomRows(4, 5, 41);
    Attributions attributions =
        new KernelShap(ShapleyFixtures.interaction(), background, FeatureGroups.identity(5), 30, 7)
            .attribute(inputs, 4, new int[4]);
    assertClose(
        ShapleyFixtures.interactionShapley(inputs, 4, background),
        attributions.values(),
        FLOAT32_ATOL,
        FLOAT32_RTOL,
        "attributions");
  }

  @Test
  void aSinglePlayerGetsTheWholeDifference() {
    Scenario scenario = Scenario.network(3, 4, 2);
    FeatureGroups one = new FeatureGroups(new int[] {0, 0, 0}, 1);
    Attributions attributions =
        new KernelShap(scenario.model(), scenario.background(), one, 0, MAX_EVALUATION_ROWS)
            .attribute(scenario.inputs(), 4, new int[4]);
    for (int r = 0; r < 4; r++) {
      assertEquals(
          attributions.outputs()[r] - attributions.references()[r], attributions.value(r, 0));
      assertEquals(0, attributions.standardError(r, 0));
    }
  }

  // --- Sampled budgets. --------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 5, 16, 64})
  void efficiencyHoldsAtAnyBudget(int budget) {
    Scenario scenario = Scenario.network(10, 8, 3);
    Attributions attributions = scenario.explain(budget, 100);
    for (int r = 0; r < scenario.rows(); r++) {
      double scale = Math.abs(attributions.outputs()[r]) + Math.abs(attributions.references()[r]);
      assertEquals(0, attributions.gap(r), DOUBLE_SUM_ATOL * (1 + scale), "row " + r);
    }
  }

  @Test
  void aBudgetTooSmallToTellPlayersApartHasNoStandardErrors() {
    Scenario scenario = Scenario.network(6, 3, 4);
    Attributions attributions = scenario.explain(2, 0);
    assertTrue(Arrays.stream(attributions.standardErrors()).allMatch(Double::isNaN));
  }

  /** Mean absolute difference from the exact Shapley values over all rows and players. */
  private static double meanError(Attributions attributions, double[] exact) {
    double sum = 0;
    for (int i = 0; i < exact.length; i++) {
      sum += Math.abs(attributions.values()[i] - exact[i]);
    }
    return sum / exact.length;
  }

  @Test
  void errorFallsAsTheBudgetGrows() {
    Scenario scenario = Scenario.network(12, 16, 5);
    double[] exact = scenario.exact();
    double at64 = meanError(scenario.explain(64, 0), exact);
    double at512 = meanError(scenario.explain(512, 0), exact);
    double atAll = meanError(scenario.explain(4094, 0), exact);
    String errors = "mean errors " + at64 + ", " + at512 + ", " + atAll;
    assertTrue(at512 < at64 / 2, errors);
    assertTrue(atAll < EXACT_ATOL, errors);
  }

  @ParameterizedTest
  @CsvSource({
    // Pure sampling: 24 pairs, nothing enumerated (48 * 2 / 5.09 = 18.9 < 20).
    "10, 48",
    // Sizes {1, 9} enumerated, 54 pairs sampled from the rest.
    "10, 128",
    // Sizes {1, 2, 10, 11} enumerated, 178 pairs sampled.
    "12, 512"
  })
  void standardErrorsCoverTheExactValues(int players, int budget) {
    // Seen: 0.957, 0.938 and 0.968. The plain sandwich estimator covered 0.865 in the first case.
    Scenario scenario = Scenario.network(players, 60, 6);
    double[] exact = scenario.exact();
    Attributions attributions = scenario.explain(budget, 1000);
    int covered = 0;
    for (int i = 0; i < exact.length; i++) {
      double error = Math.abs(attributions.values()[i] - exact[i]);
      // A NaN standard error covers nothing.
      covered += error <= 1.96 * attributions.standardErrors()[i] ? 1 : 0;
    }
    double coverage = covered / (double) exact.length;
    assertTrue(
        coverage >= 0.90 && coverage <= 0.99, "coverage " + coverage + " of " + exact.length);
  }

  /**
   * KernelShap fits each complementary pair as one regression row; the fit over every coalition
   * separately, from the same coalitions and values, must give the same values and standard errors.
   * Budgets with and without enumerated sizes (whose coalitions are paired too), and every
   * coalition of 6 players, where those of size 3 are not next to their complements and stay
   * unpaired.
   */
  @ParameterizedTest
  @CsvSource({"10, 48", "10, 128", "8, 200", "12, 512", "6, 62"})
  void fittingEachPairAsOneRowChangesNothing(int players, int budget) {
    Scenario scenario = Scenario.network(players, 5, 11);
    long[] seeds = ShapleyFixtures.seeds(5);
    Attributions attributions =
        scenario
            .kernelShap(budget, MAX_EVALUATION_ROWS)
            .attribute(scenario.inputs(), 5, scenario.targets(), seeds);
    ShapleyKernelSampler sampler = new ShapleyKernelSampler(players, budget);
    CoalitionEvaluator evaluator =
        new CoalitionEvaluator(
            scenario.model(), scenario.background(), scenario.groups(), MAX_EVALUATION_ROWS);
    double reference = evaluator.baseValues()[0];
    for (int r = 0; r < 5; r++) {
      WeightedCoalitions coalitions = sampler.sample(new SplittableRandom(seeds[r]));
      double[] values =
          evaluator.evaluate(
              scenario.row(r), 1, new int[1], coalitions.masks(), coalitions.count());
      double[] y = Arrays.stream(values).map(v -> v - reference).toArray();
      ConstrainedWeightedLeastSquares unpaired =
          ConstrainedWeightedLeastSquares.solve(
              coalitions.masks(),
              players,
              y,
              coalitions.weights(),
              attributions.outputs()[r] - reference);
      String what = players + " players, budget " + budget + ", row " + r;
      assertClose(
          unpaired.coefficients(),
          Arrays.copyOfRange(attributions.values(), r * players, (r + 1) * players),
          DOUBLE_SUM_ATOL,
          0,
          what + ": values");
      assertClose(
          unpaired.standardErrors(coalitions.pairOf(), coalitions.pairDraws()),
          Arrays.copyOfRange(attributions.standardErrors(), r * players, (r + 1) * players),
          0,
          1e-9,
          what + ": standard errors");
    }
  }

  // --- Determinism. ------------------------------------------------------------------------------

  @Test
  void resultsDependOnRowSeedsAloneNotOnBatchesOrCallSizes() {
    Scenario scenario = Scenario.network(8, 6, 7);
    long[] seeds = ShapleyFixtures.seeds(6);
    Attributions together =
        scenario.kernelShap(40, 100_000).attribute(scenario.inputs(), 6, scenario.targets(), seeds);
    ShapleyFixtures.assertIdentical(
        together,
        ShapleyFixtures.oneAtATime(
            scenario.kernelShap(40, 7), scenario.inputs(), 6, scenario.targets(), seeds),
        "one row at a time, 7 model rows per call");

    // The same rows in reverse order, one model row per call.
    float[] reversed = new float[scenario.inputs().length];
    long[] reversedSeeds = new long[6];
    for (int r = 0; r < 6; r++) {
      System.arraycopy(scenario.inputs(), r * 8, reversed, (5 - r) * 8, 8);
      reversedSeeds[5 - r] = seeds[r];
    }
    Attributions backwards =
        scenario.kernelShap(40, 1).attribute(reversed, 6, new int[6], reversedSeeds);
    for (int r = 0; r < 6; r++) {
      for (int p = 0; p < 8; p++) {
        assertEquals(together.value(r, p), backwards.value(5 - r, p), "row " + r + ", player " + p);
        assertEquals(
            together.standardError(r, p),
            backwards.standardError(5 - r, p),
            "row " + r + ", player " + p);
      }
    }

    Attributions reseeded =
        scenario
            .kernelShap(40, 100_000)
            .attribute(scenario.inputs(), 6, new int[6], new long[] {1, 2, 3, 4, 5, 6});
    for (int r = 0; r < 6; r++) {
      assertFalse(
          Arrays.equals(
              Arrays.copyOfRange(together.values(), r * 8, (r + 1) * 8),
              Arrays.copyOfRange(reseeded.values(), r * 8, (r + 1) * 8)),
          "another seed, row " + r);
    }
  }

  @Test
  void rowsEvaluatedInSeveralGroupsGetTheirOwnResults() {
    // 4000 coalitions of 12 players are 80,000 bytes of masks and values per row, so 250 rows
    // take two evaluation groups of at most 16 MiB.
    Scenario scenario = Scenario.network(12, 250, 9);
    Attributions together = scenario.explain(4000, 0);
    KernelShap method = scenario.kernelShap(4000, MAX_EVALUATION_ROWS);
    for (int r = 0; r < 250; r += 31) {
      Attributions alone = method.attribute(scenario.row(r), 1, new int[1], new long[] {r});
      assertArrayEquals(
          Arrays.copyOfRange(together.values(), r * 12, (r + 1) * 12),
          alone.values(),
          "values, row " + r);
    }
  }

  @Test
  void costsBudgetTimesBackgroundEvaluationsPerRowInBoundedCalls() {
    // M = 4 with every coalition: 14 per row, 4 background rows; plus f(x) (5 rows). The base
    // values (4 rows) are computed at construction.
    Scenario scenario = Scenario.network(4, 5, 8);
    RecordingModel model = new RecordingModel(scenario.model());
    KernelShap method = new KernelShap(model, scenario.background(), scenario.groups(), 14, 10);
    int atConstruction = model.forwardRows().size();
    method.attribute(scenario.inputs(), 5, new int[5]);
    List<Integer> calls = model.forwardRows().subList(atConstruction, model.forwardRows().size());
    assertEquals(5 + 5 * 14 * 4, calls.stream().mapToInt(Integer::intValue).sum(), "rows " + calls);
    assertTrue(calls.stream().allMatch(rows -> rows <= 10), "calls " + calls);
  }

  // --- A target error. ---------------------------------------------------------------------------

  @Test
  void aLinearModelMeetsAnyTargetAfterTheFirstRound() {
    // Kernel SHAP is exact for a linear model from any sample that tells the players apart: the
    // standard errors are 0 after the first round, which meets the target.
    int players = 5;
    Background background = ShapleyFixtures.threeEqualRows(players);
    FeatureGroups groups = FeatureGroups.identity(players);
    int rows = 6;
    float[] inputs = randomRows(rows, players, 91);
    int budget = 26;
    RecordingModel model = new RecordingModel(ShapleyFixtures.linear());
    KernelShap method = new KernelShap(model, background, groups, budget, MAX_EVALUATION_ROWS, 0.01, KernelShapAdjustment.NONE);
    int atConstruction = model.forwardRows().size();
    Attributions result = method.attribute(inputs, rows, new int[rows], LongStream.range(0, rows).toArray());
    assertClose(
        ShapleyFixtures.linearShapley(ShapleyFixtures.LINEAR_W, inputs, rows, new int[rows], background, groups),
        result.values(), DOUBLE_SUM_ATOL, 0, "values");
    // M = 5, budget 26: the 10 coalitions of sizes 1 and 4 are enumerated and 8 pairs wanted;
    // the first round takes all 8 (32 at the least).
    int coalitions = new ShapleyKernelSampler(players, budget).maxCoalitions();
    assertEquals(26, coalitions);
    long perRow = coalitions * 3L + 1;
    long spent = model.forwardRows().subList(atConstruction, model.forwardRows().size()).stream()
        .mapToInt(Integer::intValue).sum();
    assertEquals(rows * perRow, spent, "evaluations");
    for (int r = 0; r < rows; r++) {
      assertEquals(perRow, result.effort().evaluations()[r], "evaluations of row " + r);
      assertTrue(result.effort().targetMet()[r], "row " + r + " met the target");
    }
  }

  @Test
  void aNonlinearModelStopsEachRowOnceItsEstimatedErrorMeetsTheTarget() {
    int players = 12;
    Scenario scenario = Scenario.network(players, 24, 93);
    int cap = 2000;
    double target = 0.05;
    RecordingModel model = new RecordingModel(scenario.model());
    KernelShap method = new KernelShap(model, scenario.background(), scenario.groups(), cap, MAX_EVALUATION_ROWS,
        target, KernelShapAdjustment.NONE);
    int atConstruction = model.forwardRows().size();
    long[] seeds = LongStream.range(500, 500 + scenario.rows()).toArray();
    Attributions result = method.attribute(scenario.inputs(), scenario.rows(), scenario.targets(), seeds);
    long spent = model.forwardRows().subList(atConstruction, model.forwardRows().size()).stream()
        .mapToInt(Integer::intValue).sum();
    long capped = scenario.rows() * (new ShapleyKernelSampler(players, cap).maxCoalitions() * 4L + 1);
    assertEquals(spent, Arrays.stream(result.effort().evaluations()).sum(), "evaluations reported");
    assertTrue(spent < capped / 2, "spent " + spent + " of " + capped);
    double[] exact = scenario.exact();
    double error = 0;
    double magnitude = 0;
    for (int r = 0; r < scenario.rows(); r++) {
      double estimated = 0;
      double rowMagnitude = 0;
      for (int p = 0; p < players; p++) {
        int i = r * players + p;
        estimated += Math.sqrt(2 / Math.PI) * result.standardErrors()[i];
        rowMagnitude += Math.abs(result.values()[i]);
        error += Math.abs(result.values()[i] - exact[i]);
        magnitude += Math.abs(exact[i]);
      }
      assertTrue(result.effort().targetMet()[r], "row " + r + " met the target");
      assertTrue(estimated <= target * rowMagnitude, "row " + r + " stopped short of its target");
      assertEquals(0, result.gap(r), DOUBLE_SUM_ATOL, "efficiency of row " + r);
    }
    // The estimated errors are honest: the true relative error is near the target, not above.
    assertTrue(error / magnitude <= 1.25 * target, "relative MAE " + error / magnitude);
    // A target no row reaches runs every row to the cap, where it gets the values without one.
    Attributions unreachable = new KernelShap(scenario.model(), scenario.background(), scenario.groups(), cap,
        MAX_EVALUATION_ROWS, 1e-12, KernelShapAdjustment.NONE).attribute(scenario.inputs(), scenario.rows(), scenario.targets(), seeds);
    ShapleyFixtures.assertIdentical(
        scenario.kernelShap(cap, MAX_EVALUATION_ROWS).attribute(scenario.inputs(), scenario.rows(), scenario.targets(),
            seeds),
        unreachable, "at the cap");
    for (int r = 0; r < scenario.rows(); r++) {
      assertFalse(unreachable.effort().targetMet()[r], "row " + r + " stopped at the cap");
    }
  }

  @Test
  void aTargetErrorKeepsResultsAFunctionOfTheRowSeed() {
    Scenario scenario = Scenario.network(10, 9, 94);
    KernelShap method = new KernelShap(scenario.model(), scenario.background(), scenario.groups(), 600, 7, 0.05, KernelShapAdjustment.NONE);
    long[] seeds = LongStream.range(40, 49).toArray();
    Attributions together = method.attribute(scenario.inputs(), 9, scenario.targets(), seeds);
    for (int r = 0; r < 9; r++) {
      Attributions alone = method.attribute(scenario.row(r), 1, new int[1], new long[] {seeds[r]});
      assertArrayEquals(Arrays.copyOfRange(together.values(), r * 10, (r + 1) * 10), alone.values(), "row " + r);
      assertEquals(together.effort().evaluations()[r], alone.effort().evaluations()[0], "evaluations of row " + r);
    }
  }

  // --- Validation. ------------------------------------------------------------------------------

  private static String constructionError(FeatureGroups groups, int budget, int maxRows) {
    return assertThrows(
            IllegalArgumentException.class,
            () ->
                new KernelShap(ShapleyFixtures.linear(), weightedRows(5), groups, budget, maxRows))
        .getMessage();
  }

  @Test
  void rejectsConstructionArgumentsThatDoNotFit() {
    FeatureGroups five = FeatureGroups.identity(5);
    assertEquals(
        "Cannot run Kernel SHAP: the budget must be at least 2 coalitions per row for 5 players,"
            + " got 1",
        constructionError(five, 1, 100));
    assertEquals(
        "Cannot run Kernel SHAP: the budget must be at least 0 coalitions per row for 1 players,"
            + " got -1",
        constructionError(new FeatureGroups(new int[5], 1), -1, 100));
    assertEquals(
        "Cannot run Kernel SHAP: maxEvaluationRows must be at least 1, got 0",
        constructionError(five, 10, 0));
    assertEquals(
        "Cannot run Kernel SHAP: the feature groups cover 4 columns but the model takes 5",
        constructionError(FeatureGroups.identity(4), 10, 100));
    assertEquals(
        "Cannot run Kernel SHAP: the background has 4 columns but the model takes 5",
        assertThrows(
                IllegalArgumentException.class,
                () -> new KernelShap(ShapleyFixtures.linear(), weightedRows(4), five, 10, 100))
            .getMessage());
  }

  private static String attributionError(float[] inputs, int rows, int[] targets, long[] seeds) {
    KernelShap method =
        new KernelShap(
            ShapleyFixtures.linear(), weightedRows(5), FeatureGroups.identity(5), 10, 100);
    return assertThrows(
            IllegalArgumentException.class, () -> method.attribute(inputs, rows, targets, seeds))
        .getMessage();
  }

  @Test
  void rejectsBatchesThatDoNotFit() {
    assertEquals(
        "Cannot explain rows: the row count must be positive, got 0",
        attributionError(new float[0], 0, new int[0], new long[0]));
    assertEquals(
        "Cannot explain 2 rows: expected 2 x 5 input values, got 7",
        attributionError(new float[7], 2, new int[2], new long[2]));
    assertEquals(
        "Cannot explain 2 rows: expected 2 targets, got 1",
        attributionError(new float[10], 2, new int[1], new long[2]));
    assertEquals(
        "Cannot explain row 1: target 2 is outside [0, 2)",
        attributionError(new float[10], 2, new int[] {1, 2}, new long[2]));
    assertEquals(
        "Cannot explain 2 rows: expected 2 row seeds, got 1",
        attributionError(new float[10], 2, new int[2], new long[1]));
  }
}
