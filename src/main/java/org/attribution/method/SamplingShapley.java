package org.attribution.method;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;

/**
 * Interventional Shapley values estimated by sampling permutations of the players (Strumbelj and
 * Kononenko, 2010 and 2014), with antithetic pairs (Mitchell, Cooper, Frank and Holmes, 2022).
 *
 * <p>The Shapley value of player i is its marginal contribution {@code v(S + i) - v(S)} averaged
 * over all orderings of the players, S being the players before i; {@code v} is the interventional
 * value over the weighted background (see {@link CoalitionEvaluator}). For each row, {@code
 * permutations / 2} orderings are drawn uniformly, and each is used together with its reverse;
 * a pair's estimate is the mean of the two. Reversal makes the estimate exact for any model whose
 * players interact at most in pairs (in particular for two players, or for a linear model), and
 * lowers the variance for others.
 *
 * <p>Along one ordering the marginal contributions telescope: they sum to {@code v(all) -
 * v(empty)}. These two values are known, f(x) and the base value, so they are not evaluated, and
 * the attributions of every row sum to {@code f(x) - base value} to double rounding whatever the
 * sample: {@link Attributions#gap} is zero up to that.
 *
 * <p>Standard errors: the pairs are independent and identically distributed, so the standard
 * error of a value is the sample standard deviation of its pair estimates over {@code
 * sqrt(permutations / 2)}. With a single pair it is NaN (no spread to measure). It is zero, and
 * correctly so, wherever the estimate is exact.
 *
 * <p>Cost per row: at most {@code permutations x (M - 1) x |background|} model evaluations for M
 * players, plus one forward pass of the row itself. A coalition that a row's orderings reach more
 * than once is evaluated once ({@link CoalitionMemo}): with 12 players, about one in six of the
 * prefixes of 32 permutations and a third of those of 128 (the default) are repeats, fewer with
 * more players (a sixth at 17 players and 128 permutations).
 *
 * <p><b>A target error.</b> With a target t, a row's pairs are drawn in rounds of {@link
 * #ROUND_PAIRS} and the row stops as soon as its estimated relative mean absolute error, {@code
 * sqrt(2 / pi) sum_i se_i / sum_i |phi_i|} (the expected |error| of a normal estimate is {@code
 * sqrt(2 / pi)} times its standard error), is at most t, or when it has used {@code permutations},
 * the cap. A row's pairs come from its generator in the same order either way, so a row that runs
 * to the cap gets exactly the values it gets without a target, and the rule depends on the row's
 * own estimates alone: the result is still a function of the row's seed. {@link
 * Attributions#effort} reports each row's evaluations and whether it met the target.
 *
 * <p>Randomness: row r's orderings come from {@code new SplittableRandom(rowSeeds[r])} alone, so a
 * row's result depends on its seed only, not on its batch. A row's pairs are evaluated together,
 * in model calls of up to {@code maxEvaluationRows} rows that never mix rows, as far as their
 * coalition masks stay within a fixed memory budget. Instances are immutable and may be shared by
 * threads.
 */
public final class SamplingShapley implements AttributionMethod {

  private final BackgroundExplainer explainer;
  private final CoalitionEvaluator evaluator;
  private final int players;
  private final int pairs;
  private final double targetError;

  /** Pairs drawn per row between two checks of the target error. */
  public static final int ROUND_PAIRS = 4;

  /**
   * @param model the model to explain
   * @param background the weighted background absent players take their values from
   * @param groups which input columns each player owns
   * @param permutations orderings per row, even and at least 2: half are drawn, half are their
   *     reverses
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @throws IllegalArgumentException if the arguments do not fit the model or each other, or
   *     {@code permutations} is odd or below 2
   */
  public SamplingShapley(
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      int permutations,
      int maxEvaluationRows) {
    this(model, background, groups, permutations, maxEvaluationRows, 0);
  }

  /**
   * As above, stopping each row once its estimated relative error is at most {@code targetError}
   * (see the class), {@code permutations} being the cap; 0 for no target.
   *
   * @throws IllegalArgumentException as above, or if {@code targetError} is negative or not finite
   */
  public SamplingShapley(
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      int permutations,
      int maxEvaluationRows,
      double targetError) {
    this.targetError = ErrorTarget.checked("sample Shapley values", targetError);
    if (permutations < 2 || permutations % 2 != 0) {
      throw new IllegalArgumentException(
          "Cannot sample Shapley values: permutations must be even and at least 2 (each drawn "
              + "permutation is used with its reverse), got " + permutations);
    }
    this.explainer = new BackgroundExplainer(
        "sample Shapley values", model, background, groups, maxEvaluationRows);
    this.evaluator = explainer.evaluator();
    this.players = groups.players();
    this.pairs = permutations / 2;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Outputs are f(x) and references the base value, both at each row's target; standard errors
   * are those of the sampled means.
   *
   * @throws IllegalArgumentException if the arrays do not match {@code rows} and the model's
   *     widths, or a target is not an output of the model
   */
  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    explainer.checkBatch(inputs, rows, targets, rowSeeds);
    double[] outputs = explainer.outputs(inputs, rows, targets);
    double[] references = explainer.references(rows, targets);
    if (targetError > 0) {
      return toTarget(inputs, rows, targets, rowSeeds, outputs, references);
    }
    // Per pair: the M - 1 proper prefixes of the ordering, then those of its reverse.
    int perPair = 2 * (players - 1);
    // A row's pairs are evaluated together, so that its coalitions fill model calls of
    // maxEvaluationRows (the evaluator never mixes rows in a call); only pairs whose masks would
    // pass the memory budget go in later chunks, which depend on the row alone. Rows whose pairs
    // all fit are grouped, so that one evaluation serves several of them.
    int budgetPairs = explainer.unitsPerEvaluation(perPair);
    int chunkPairs = Math.min(pairs, budgetPairs);
    int groupRows = chunkPairs == pairs ? Math.max(1, Math.min(rows, budgetPairs / pairs)) : 1;
    int width = explainer.width;

    SampleMeans estimates = new SampleMeans(rows * players);
    int[] orderings = new int[groupRows * chunkPairs * players];
    double[] contributions = new double[players];
    SplittableRandom[] randoms = new SplittableRandom[groupRows];
    for (int first = 0; first < rows; first += groupRows) {
      int k = Math.min(groupRows, rows - first);
      float[] groupInputs = Arrays.copyOfRange(inputs, first * width, (first + k) * width);
      int[] groupTargets = Arrays.copyOfRange(targets, first, first + k);
      int[] groupRowsOf = new int[k];
      for (int r = 0; r < k; r++) {
        randoms[r] = new SplittableRandom(rowSeeds[first + r]);
        groupRowsOf[r] = r;
      }
      CoalitionMemo memo = new CoalitionMemo(evaluator);
      for (int firstPair = 0; firstPair < pairs; firstPair += chunkPairs) {
        int n = Math.min(chunkPairs, pairs - firstPair);
        boolean[] masks = new boolean[k * n * perPair * players];
        for (int u = 0; u < k * n; u++) {
          shuffleIdentity(orderings, u * players, randoms[u / n]);
          writeMasks(orderings, u * players, masks, u * perPair * players);
        }
        double[] values = memo.values(groupInputs, groupRowsOf, groupTargets, masks, n * perPair, new long[k]);
        for (int u = 0; u < k * n; u++) {
          int row = first + u / n;
          pairContributions(
              orderings, u * players, values, u * perPair, references[row], outputs[row], contributions);
          // The pair's estimate is the mean of its two orderings' contributions.
          for (int p = 0; p < players; p++) {
            estimates.add(row * players + p, contributions[p] / 2);
          }
        }
      }
    }
    return new Attributions(
        rows, players, estimates.means(), outputs, references, estimates.standardErrors());
  }

  /**
   * The target-error path: all rows draw {@link #ROUND_PAIRS} more pairs per round, those still
   * short of the target together in large model calls, until each meets it or reaches the cap.
   */
  private Attributions toTarget(
      float[] inputs, int rows, int[] targets, long[] rowSeeds, double[] outputs, double[] references) {
    int perPair = 2 * (players - 1);
    int width = explainer.width;
    SampleMeans estimates = new SampleMeans(rows * players);
    SplittableRandom[] randoms = new SplittableRandom[rows];
    int[] active = new int[rows];
    for (int r = 0; r < rows; r++) {
      randoms[r] = new SplittableRandom(rowSeeds[r]);
      active[r] = r;
    }
    int activeRows = rows;
    double[] contributions = new double[players];
    CoalitionMemo memo = new CoalitionMemo(evaluator);
    Attributions.Effort effort = new Attributions.Effort(new long[rows], new boolean[rows]);
    Arrays.fill(effort.evaluations(), 1);
    for (int done = 0; done < pairs && activeRows > 0; ) {
      // Two pairs at least before the first check: one says nothing about its spread.
      int n = Math.min(pairs - done, Math.max(2, ROUND_PAIRS));
      int groupRows = Math.max(1, explainer.unitsPerEvaluation(n * perPair) / Math.max(1, n));
      for (int first = 0; first < activeRows; first += groupRows) {
        int k = Math.min(groupRows, activeRows - first);
        float[] groupInputs = new float[k * width];
        int[] groupTargets = new int[k];
        int[] groupRowsOf = Arrays.copyOfRange(active, first, first + k);
        for (int i = 0; i < k; i++) {
          int row = active[first + i];
          System.arraycopy(inputs, row * width, groupInputs, i * width, width);
          groupTargets[i] = targets[row];
        }
        int[] orderings = new int[k * n * players];
        boolean[] masks = new boolean[k * n * perPair * players];
        for (int u = 0; u < k * n; u++) {
          shuffleIdentity(orderings, u * players, randoms[active[first + u / n]]);
          writeMasks(orderings, u * players, masks, u * perPair * players);
        }
        long[] spent = new long[k];
        double[] values = memo.values(groupInputs, groupRowsOf, groupTargets, masks, n * perPair, spent);
        for (int i = 0; i < k; i++) {
          effort.evaluations()[groupRowsOf[i]] += spent[i];
        }
        for (int u = 0; u < k * n; u++) {
          int row = active[first + u / n];
          pairContributions(
              orderings, u * players, values, u * perPair, references[row], outputs[row], contributions);
          for (int p = 0; p < players; p++) {
            estimates.add(row * players + p, contributions[p] / 2);
          }
        }
      }
      done += n;
      int still = 0;
      for (int i = 0; i < activeRows; i++) {
        int row = active[i];
        effort.targetMet()[row] = meetsTarget(estimates, row);
        if (!effort.targetMet()[row]) {
          active[still++] = row;
        }
      }
      activeRows = still;
    }
    return new Attributions(
        rows, players, estimates.means(), outputs, references, estimates.standardErrors()).withEffort(effort);
  }

  /** Whether a row's estimated relative mean absolute error is at most the target ({@link ErrorTarget}). */
  private boolean meetsTarget(SampleMeans estimates, int row) {
    double errors = 0;
    double magnitude = 0;
    for (int p = 0; p < players; p++) {
      errors += estimates.standardError(row * players + p);
      magnitude += Math.abs(estimates.mean(row * players + p));
    }
    return ErrorTarget.met(targetError, errors, magnitude);
  }

  /** Writes a uniformly random ordering of the players at {@code at} (Fisher-Yates). */
  private void shuffleIdentity(int[] orderings, int at, SplittableRandom random) {
    for (int i = 0; i < players; i++) {
      int j = random.nextInt(i + 1);
      orderings[at + i] = orderings[at + j];
      orderings[at + j] = i;
    }
  }

  /**
   * Writes the masks of one unit at {@code out}: the M - 1 proper prefixes of the ordering at
   * {@code at}, then those of its reverse. Prefix k of the ordering holds its first k players, and
   * prefix k of the reverse its last k.
   */
  private void writeMasks(int[] orderings, int at, boolean[] masks, int out) {
    int prefixes = players - 1;
    int reverse = out + prefixes * players;
    for (int k = 1; k <= prefixes; k++) {
      for (int t = 0; t < k; t++) {
        masks[out + (k - 1) * players + orderings[at + t]] = true;
        masks[reverse + (k - 1) * players + orderings[at + players - 1 - t]] = true;
      }
    }
  }

  /**
   * Sums each player's marginal contributions along the ordering at {@code at} and its reverse
   * into {@code contributions}, from the prefix values at {@code first} (as {@link #writeMasks}
   * laid them out) and the known values of the empty and the full coalition.
   */
  private void pairContributions(
      int[] orderings, int at, double[] values, int first, double empty, double full, double[] contributions) {
    Arrays.fill(contributions, 0);
    int prefixes = players - 1;
    for (int direction = 0; direction < 2; direction++) {
      int start = first + direction * prefixes;
      double previous = empty;
      for (int k = 1; k <= players; k++) {
        double current = k == players ? full : values[start + k - 1];
        int joining = direction == 0 ? orderings[at + k - 1] : orderings[at + players - k];
        contributions[joining] += current - previous;
        previous = current;
      }
    }
  }
}
