package org.attribution.method;

import java.util.Arrays;
import org.attribution.model.ModelFunction;

/**
 * Exact interventional Shapley values (Shapley, 1953; Lundberg and Lee, 2017) by enumerating
 * every coalition: for a row x with M players,
 * {@code phi_i = sum over S not containing i of |S|! (M - |S| - 1)! / M! (v(S + i) - v(S))},
 * where {@code v(S) = sum_b w_b f(x on S, b elsewhere)} over the weighted background (see
 * {@link CoalitionEvaluator}).
 *
 * <p>Cost per row: {@code (2^M - 2) x |background|} model evaluations, plus one forward pass of
 * the row itself. The two coalitions left out are known: v(empty) is the base value and v(all)
 * is f(x), so the attributions sum to {@code f(x) - base value} to double rounding, and {@link
 * Attributions#gap} is zero up to that. The cost doubles with every player, so only as many
 * players as the caller accepts (the job's {@code method.max_players}, 16 by default) and at most
 * {@link #MAX_PLAYERS} are taken.
 *
 * <p>Rows are evaluated in groups whose coalition masks stay within a fixed memory budget. The
 * result is deterministic: row seeds are ignored, and neither the grouping nor
 * {@code maxEvaluationRows} changes it. Instances are immutable and may be shared by threads.
 */
public final class ExactShapley implements AttributionMethod {

  /**
   * Checks that exact enumeration is affordable for this many players, so a job can say so
   * before it reads any data.
   *
   * @param maxPlayers the most players the user accepts the cost of, at most {@link #MAX_PLAYERS}
   * @throws IllegalArgumentException when there are more than {@code maxPlayers}
   */
  public static void checkPlayers(int players, int maxPlayers) {
    if (players > Math.min(maxPlayers, MAX_PLAYERS)) {
      String cost = String.format("%,d", (1L << Math.min(players, 62)) - 2);
      throw new IllegalArgumentException("Cannot use exact Shapley with " + players + " players: it costs "
          + cost + " model evaluations per row for each background row (2^" + players + " - 2 coalitions)"
          + (players <= MAX_PLAYERS
              ? ", more than the " + maxPlayers + " players accepted; set 'method.max_players: " + players
                  + "' to accept that cost, "
              : ", and at most " + MAX_PLAYERS + " players are possible; ")
          + (players <= MAX_PLAYERS ? "or " : "") + "group features, or use kernel_shap");
    }
  }

  /** The most players exact enumeration can take: 2^20 coalitions per row. */
  public static final int MAX_PLAYERS = 20;

  private final BackgroundExplainer explainer;
  private final CoalitionEvaluator evaluator;
  private final int players;
  /** Shapley weight of a coalition of size s that a player joins: 1 / (M C(M - 1, s)). */
  private final double[] weightBySize;

  /**
   * @param model the model to explain
   * @param background the weighted background absent players take their values from
   * @param groups which input columns each player owns
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @param maxPlayers the most players whose cost the user accepts, at most {@link #MAX_PLAYERS}
   * @throws IllegalArgumentException if the arguments do not fit the model or each other, or
   *     there are more than {@code maxPlayers} players
   */
  public ExactShapley(
      ModelFunction model, Background background, FeatureGroups groups, int maxEvaluationRows,
      int maxPlayers) {
    checkPlayers(groups.players(), maxPlayers);
    this.explainer = new BackgroundExplainer(
        "compute exact Shapley values", model, background, groups, maxEvaluationRows);
    this.evaluator = explainer.evaluator();
    this.players = groups.players();
    // Binomials up to C(19, 9) = 92378 are exact in double; the quotient rounds once.
    this.weightBySize = weightsBySize(players);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Outputs are f(x) and references the base value, both at each row's target. Row seeds are
   * ignored.
   *
   * @throws IllegalArgumentException if the arrays do not match {@code rows} and the model's
   *     widths, or a target is not an output of the model
   */
  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    explainer.checkBatch(inputs, rows, targets, rowSeeds);
    double[] outputs = explainer.outputs(inputs, rows, targets);
    double[] references = explainer.references(rows, targets);
    int all = (1 << players) - 1;
    // Coalition k of a row is the subset with bits k + 1: every subset but empty and all.
    int coalitions = all - 1;
    int groupRows = Math.min(rows, explainer.unitsPerEvaluation(coalitions));
    boolean[] groupMasks = masks(groupRows, coalitions);
    int width = explainer.width;
    double[] values = new double[rows * players];
    double[] v = new double[all + 1];
    double[] bySize = new double[players * players];
    for (int first = 0; first < rows; first += groupRows) {
      int n = Math.min(groupRows, rows - first);
      double[] evaluated = evaluator.evaluate(
          Arrays.copyOfRange(inputs, first * width, (first + n) * width),
          n,
          Arrays.copyOfRange(targets, first, first + n),
          n == groupRows ? groupMasks : Arrays.copyOf(groupMasks, n * coalitions * players),
          coalitions);
      for (int i = 0; i < n; i++) {
        int row = first + i;
        v[0] = references[row];
        v[all] = outputs[row];
        System.arraycopy(evaluated, i * coalitions, v, 1, coalitions);
        shapley(v, players, weightBySize, bySize, values, row * players);
      }
    }
    return new Attributions(rows, players, values, outputs, references);
  }

  /** Every proper non-empty coalition, in subset order, repeated for each of {@code rows} rows. */
  private boolean[] masks(int rows, int coalitions) {
    boolean[] masks = new boolean[rows * coalitions * players];
    for (int k = 0; k < coalitions; k++) {
      int subset = k + 1;
      for (int p = 0; p < players; p++) {
        masks[k * players + p] = (subset & (1 << p)) != 0;
      }
    }
    int perRow = coalitions * players;
    for (int r = 1; r < rows; r++) {
      System.arraycopy(masks, 0, masks, r * perRow, perRow);
    }
    return masks;
  }

  /**
   * Shapley values from the value {@code v[S]} of every subset S of {@code players} players (bit p
   * of S set when player p is in it), in float64: the reference the accuracy harness compares the
   * sampling estimators with.
   *
   * @throws IllegalArgumentException if {@code v} does not hold {@code 2^players} values
   */
  public static double[] fromCoalitionValues(double[] v, int players) {
    if (players < 1 || players > 30 || v.length != 1 << players) {
      throw new IllegalArgumentException("Cannot compute Shapley values: expected 2^" + players
          + " coalition values, got " + v.length);
    }
    double[] values = new double[players];
    shapley(v, players, weightsBySize(players), new double[players * players], values, 0);
    return values;
  }

  /** Shapley weight of a coalition of size s that a player joins: 1 / (M C(M - 1, s)). */
  private static double[] weightsBySize(int players) {
    double[] weights = new double[players];
    double binomial = 1;
    for (int size = 0; size < players; size++) {
      weights[size] = 1.0 / (players * binomial);
      binomial = binomial * (players - 1 - size) / (size + 1);
    }
    return weights;
  }

  /**
   * Shapley values from the value {@code v[S]} of every subset S, written at {@code offset}.
   * Marginal contributions are summed per coalition size first, in {@code bySize} (players x
   * players), so that each weight multiplies once per size rather than once per coalition: fewer
   * roundings over up to 2^19 terms per player.
   */
  private static void shapley(
      double[] v, int players, double[] weightBySize, double[] bySize, double[] values, int offset) {
    Arrays.fill(bySize, 0);
    // The full coalition is skipped: no player is left to join it.
    for (int subset = 0; subset < v.length - 1; subset++) {
      int size = Integer.bitCount(subset);
      for (int p = 0; p < players; p++) {
        int bit = 1 << p;
        if ((subset & bit) == 0) {
          bySize[p * players + size] += v[subset | bit] - v[subset];
        }
      }
    }
    for (int p = 0; p < players; p++) {
      for (int size = 0; size < players; size++) {
        values[offset + p] += weightBySize[size] * bySize[p * players + size];
      }
    }
  }
}
