package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.assertIdentical;
import static org.attribution.method.ShapleyFixtures.backgrounds;
import static org.attribution.method.ShapleyFixtures.oneAtATime;
import static org.attribution.method.ShapleyFixtures.oneRow;
import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.threeEqualRows;
import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_RTOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.BruteForceShapley;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact Shapley values against the permutation definition and against closed forms. What all SHAP
 * methods share (linear models, invariances, argument checks) is in {@link ShapleyMethodsTest}.
 */
class ExactShapleyTest {

  /** Model calls small enough that every test splits work across calls. */
  private static final int SMALL_CHUNK = 7;

  private static final int[] TARGETS = {0, 1, 1};

  static Stream<Arguments> playersAndBackgrounds() {
    return IntStream.rangeClosed(1, 7)
        .boxed()
        .flatMap(players -> backgrounds(players).stream().map(named -> Arguments.of(players, named)));
  }

  /** Brute-force values of each row, one after the other. */
  private static double[] bruteForce(
      ModelFunction model, Background background, FeatureGroups groups, float[] inputs) {
    int width = model.inputWidth();
    return IntStream.range(0, TARGETS.length)
        .mapToObj(r -> BruteForceShapley.values(
            model, background, groups, Arrays.copyOfRange(inputs, r * width, (r + 1) * width), TARGETS[r]))
        .flatMapToDouble(Arrays::stream)
        .toArray();
  }

  @ParameterizedTest(name = "{0} players, {1}")
  @MethodSource("playersAndBackgrounds")
  void matchesThePermutationDefinition(int players, Background background) {
    ModelFunction model = ShapleyFixtures.tanhNetwork(players, 2, players);
    FeatureGroups groups = FeatureGroups.identity(players);
    float[] inputs = randomRows(3, players, 100 + players);
    Attributions attributions =
        new ExactShapley(model, background, groups, SMALL_CHUNK, 16).attribute(inputs, 3, TARGETS);
    assertClose(
        bruteForce(model, background, groups, inputs), attributions.values(), DOUBLE_SUM_ATOL, 0, "values");
    assertNull(attributions.standardErrors());
  }

  static Stream<Named<Background>> fiveColumnBackgrounds() {
    return backgrounds(5).stream();
  }

  static Stream<Named<Background>> sixColumnBackgrounds() {
    return backgrounds(6).stream();
  }

  @ParameterizedTest
  @MethodSource("sixColumnBackgrounds")
  void matchesThePermutationDefinitionWithAOneHotGroup(Background background) {
    // Columns: a numeric feature, a categorical one as three one-hot columns, two numeric ones.
    FeatureGroups groups = new FeatureGroups(new int[] {0, 1, 1, 1, 2, 3}, 4);
    ModelFunction model = ShapleyFixtures.tanhNetwork(6, 2, 21);
    float[] inputs = {
      0.5f, 0, 1, 0, -1.25f, 2,
      -1, 1, 0, 0, 0.75f, 0.25f,
      1.5f, 0, 0, 1, -0.5f, -2
    };
    Attributions attributions =
        new ExactShapley(model, background, groups, SMALL_CHUNK, 16).attribute(inputs, 3, TARGETS);
    assertClose(
        bruteForce(model, background, groups, inputs), attributions.values(), DOUBLE_SUM_ATOL, 0, "values");
  }

  @ParameterizedTest
  @MethodSource("fiveColumnBackgrounds")
  void interactionModelGetsItsClosedForm(Background background) {
    float[] inputs = randomRows(4, 5, 31);
    Attributions attributions = new ExactShapley(
            ShapleyFixtures.interaction(), background, FeatureGroups.identity(5), SMALL_CHUNK, 16)
        .attribute(inputs, 4, new int[4]);
    // The model rounds its outputs to float; the closed form is in double.
    assertClose(
        ShapleyFixtures.interactionShapley(inputs, 4, background),
        attributions.values(),
        FLOAT32_ATOL,
        FLOAT32_RTOL,
        "values");
  }

  @Test
  void productAgainstOneRowSplitsAsItsDividends() {
    // x0 x1 against b: phi_0 = (x0 - b0)(x1 + b1) / 2 = (3 - 1)(-5 + 0.5) / 2 = -4.5, and
    // phi_1 = (x1 - b1)(x0 + b0) / 2 = (-5 - 0.5)(3 + 1) / 2 = -11.
    Background background = Background.uniform(new float[] {1, 0.5f}, 1, 2);
    Attributions attributions = new ExactShapley(
            AnalyticModels.product(), background, FeatureGroups.identity(2), SMALL_CHUNK, 16)
        .attribute(new float[] {3, -5}, 1, new int[] {0});
    assertArrayEquals(new double[] {-4.5, -11}, attributions.values());
    assertArrayEquals(new double[] {-15}, attributions.outputs());
    assertArrayEquals(new double[] {0.5}, attributions.references());
  }

  @Test
  void enumeratesSixteenPlayers() {
    double[][] w = new double[1][16];
    IntStream.range(0, 16).forEach(i -> w[0][i] = (i - 8) / 4.0);
    Background background = Background.uniform(randomRows(2, 16, 41), 2, 16);
    FeatureGroups groups = FeatureGroups.identity(16);
    float[] inputs = randomRows(2, 16, 42);
    Attributions attributions =
        new ExactShapley(AnalyticModels.linear(w, new double[1]), background, groups, 4096, 16)
            .attribute(inputs, 2, new int[2]);
    assertClose(
        ShapleyFixtures.linearShapley(w, inputs, 2, new int[2], background, groups),
        attributions.values(),
        DOUBLE_SUM_ATOL,
        0,
        "values");
  }

  @Test
  void rowsSpanningSeveralEvaluationsGetTheirOwnResults() {
    // Sixteen players make the memory budget split a dozen rows into groups.
    ModelFunction model = ShapleyFixtures.tanhNetwork(16, 1, 43);
    ExactShapley method = new ExactShapley(model, oneRow(16), FeatureGroups.identity(16), 4096, 16);
    int rows = 12;
    float[] inputs = randomRows(rows, 16, 44);
    int[] targets = new int[rows];
    assertIdentical(
        oneAtATime(method, inputs, rows, targets, new long[rows]),
        method.attribute(inputs, rows, targets),
        "rows explained together");
  }

  @Test
  void rejectsMorePlayersThanAcceptedStatingTheCost() {
    ModelFunction model = AnalyticModels.linear(new double[1][17], new double[1]);
    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class,
        () -> new ExactShapley(
            model, Background.uniform(new float[17], 1, 17), FeatureGroups.identity(17), 100, 16));
    assertEquals(
        "Cannot use exact Shapley with 17 players: it costs 131,070 model evaluations per row for each"
            + " background row (2^17 - 2 coalitions), more than the 16 players accepted; set"
            + " 'method.max_players: 17' to accept that cost, or group features, or use kernel_shap",
        e.getMessage());
  }

  @Test
  void rejectsMoreThanTwentyPlayersWhateverIsAccepted() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ExactShapley.checkPlayers(21, 30));
    assertEquals(
        "Cannot use exact Shapley with 21 players: it costs 2,097,150 model evaluations per row for each"
            + " background row (2^21 - 2 coalitions), and at most 20 players are possible; group features,"
            + " or use kernel_shap",
        e.getMessage());
  }

  /** Twenty players, when accepted: a linear model's closed form, the cost of 2^20 - 2 coalitions. */
  @Test
  void twentyPlayersWhenAccepted() {
    int players = 20;
    double[][] w = new double[1][players];
    IntStream.range(0, players).forEach(i -> w[0][i] = (i - 10) / 4.0);
    Background background = oneRow(players);
    FeatureGroups groups = FeatureGroups.identity(players);
    float[] inputs = randomRows(1, players, 45);
    Attributions attributions =
        new ExactShapley(AnalyticModels.linear(w, new double[1]), background, groups, 1 << 16, players)
            .attribute(inputs, 1, new int[1]);
    assertClose(
        ShapleyFixtures.linearShapley(w, inputs, 1, new int[1], background, groups),
        attributions.values(), DOUBLE_SUM_ATOL, 0, "values");
  }

  @Test
  void ignoresTheRowSeeds() {
    ExactShapley method = new ExactShapley(
        ShapleyFixtures.tanhNetwork(5, 2, 5), threeEqualRows(5), FeatureGroups.identity(5), 100, 16);
    float[] inputs = randomRows(3, 5, 51);
    assertArrayEquals(
        method.attribute(inputs, 3, TARGETS).values(),
        method.attribute(inputs, 3, TARGETS, ShapleyFixtures.seeds(3)).values());
  }
}
