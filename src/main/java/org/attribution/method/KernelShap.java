package org.attribution.method;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;

/**
 * Kernel SHAP (Lundberg and Lee, 2017): Shapley values of the players of each row, found as the
 * weighted least-squares fit of an additive function to coalition values, with the Shapley kernel
 * as weights.
 *
 * <p>Values are interventional with respect to a weighted {@link Background}: {@code v(S) = sum_b
 * w_b f(x on S, b elsewhere)}. The value of the empty coalition is the base value (the weighted
 * mean output over the background, the reference of every row) and that of the full coalition is
 * f(x) (the output); neither is evaluated as a coalition. The three stages are separate: {@link
 * ShapleyKernelSampler} chooses each row's coalitions and weights, {@link CoalitionEvaluator}
 * computes their values, and {@link ConstrainedWeightedLeastSquares} fits phi with {@code sum phi =
 * f(x) - base} holding exactly, so {@link Attributions#gap} is zero up to rounding whatever the
 * budget.
 *
 * <p>With a budget of at least {@code 2^M - 2} every coalition is enumerated and the result is the
 * exact Shapley values; an additive model gets its exact values from any budget whose coalitions
 * tell the players apart. Otherwise the sampled coalitions make the result random: the row's seed
 * alone drives its sampler, so a row's attributions do not depend on its batch or on {@code
 * maxEvaluationRows}. Standard errors estimate that sampling error (see {@link
 * ConstrainedWeightedLeastSquares#standardErrors}); they are 0 when everything was enumerated, and
 * NaN for a row whose sample is too small to estimate them.
 *
 * <p>Cost per row: {@code budget x |background|} model evaluations at most (fewer when the budget
 * exceeds the {@code 2^M - 2} coalitions there are), plus one for f(x); the base values cost {@code
 * |background|} once, at construction. Evaluations are packed into model calls of at most {@code
 * maxEvaluationRows} rows across coalitions and rows, with rows grouped so that their masks stay
 * within a fixed memory budget. The fit and its standard errors add {@code O(budget M^2 + M^3)} for
 * M players. Instances are immutable and may explain batches on several threads at once.
 *
 * <p><b>A target error.</b> With a target t, a row's sampled pairs are evaluated in rounds: the
 * enumerated coalitions and the first {@link #FIRST_ROUND_PAIRS} pairs (or a sixteenth of the
 * budget's, if more), then half as many again each round. After each round the row is fitted on
 * what it has, and it stops once its estimated relative mean absolute error ({@link ErrorTarget})
 * is at most t, or when its budget, now the cap, is spent. The rounds take the row's pairs in the
 * order its generator drew them, weighted as if only that many had been wanted ({@link
 * ShapleyKernelSampler.Draws#coalitions}), so a row that runs to the cap gets exactly the values it
 * gets without a target, and every row's result is still a function of its seed alone. {@link
 * Attributions#effort} reports each row's evaluations and whether it met the target.
 */
public final class KernelShap implements AttributionMethod {

  /** Sampled pairs of a row's first round under a target error, at the least. */
  public static final int FIRST_ROUND_PAIRS = 32;

  /** Each round adds this share of the pairs already taken. */
  private static final double ROUND_GROWTH = 0.5;

  private final BackgroundExplainer explainer;
  private final CoalitionEvaluator evaluator;
  private final ShapleyKernelSampler sampler;
  private final int players;
  private final double targetError;

  /**
   * @param model the model to explain
   * @param background the values absent players take, with their weights
   * @param groups which input columns each player owns
   * @param budget coalitions evaluated per row, at least 2; any budget from 0 for a single player,
   *     whose attribution is {@code f(x) - base} with no coalition evaluated. {@link
   *     ShapleyKernelSampler#defaultBudget} is shap's default
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public KernelShap(
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      int budget,
      int maxEvaluationRows) {
    this(model, background, groups, budget, maxEvaluationRows, 0);
  }

  /**
   * As above, sampling each row only until its estimated relative error is at most {@code
   * targetError} (see the class), {@code budget} being the cap; 0 for no target.
   *
   * @throws IllegalArgumentException as above, or if {@code targetError} is negative or not finite
   */
  public KernelShap(
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      int budget,
      int maxEvaluationRows,
      double targetError) {
    this.targetError = ErrorTarget.checked("run Kernel SHAP", targetError);
    this.explainer =
        new BackgroundExplainer("run Kernel SHAP", model, background, groups, maxEvaluationRows);
    this.evaluator = explainer.evaluator();
    this.players = groups.players();
    int minimum = players == 1 ? 0 : 2;
    if (budget < minimum) {
      throw new IllegalArgumentException(
          "Cannot run Kernel SHAP: the budget must be at least "
              + minimum
              + " coalitions per row for "
              + players
              + " players, got "
              + budget);
    }
    this.sampler = players == 1 ? null : new ShapleyKernelSampler(players, budget);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Outputs are f(x) and references the base value, both at each row's target.
   *
   * @throws IllegalArgumentException if the arrays do not match {@code rows} and the model's
   *     widths, or a target is not an output of the model
   */
  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    explainer.checkBatch(inputs, rows, targets, rowSeeds);
    double[] outputs = explainer.outputs(inputs, rows, targets);
    double[] references = explainer.references(rows, targets);
    double[] values = new double[rows * players];
    double[] errors = new double[rows * players];
    if (sampler == null) {
      // One player: exact, with no coalition evaluated.
      for (int r = 0; r < rows; r++) {
        values[r] = outputs[r] - references[r];
      }
      Attributions exact = new Attributions(rows, players, values, outputs, references, errors);
      if (targetError == 0) {
        return exact;
      }
      long[] spent = new long[rows];
      boolean[] met = new boolean[rows];
      Arrays.fill(spent, 1);
      Arrays.fill(met, true);
      return exact.withEffort(new Attributions.Effort(spent, met));
    }
    int groupRows = Math.min(rows, explainer.unitsPerEvaluation(sampler.maxCoalitions()));
    Batch batch = new Batch(inputs, targets, rowSeeds, outputs, references, values, errors);
    if (targetError > 0) {
      Attributions.Effort effort = new Attributions.Effort(new long[rows], new boolean[rows]);
      for (int first = 0; first < rows; first += groupRows) {
        explainGroupToTarget(batch, first, Math.min(groupRows, rows - first), effort);
      }
      return new Attributions(rows, players, values, outputs, references, errors).withEffort(effort);
    }
    for (int first = 0; first < rows; first += groupRows) {
      explainGroup(batch, first, Math.min(groupRows, rows - first));
    }
    return new Attributions(rows, players, values, outputs, references, errors);
  }

  /** A batch being explained: what it came with and where its results go. */
  private record Batch(
      float[] inputs,
      int[] targets,
      long[] rowSeeds,
      double[] outputs,
      double[] references,
      double[] values,
      double[] errors) {}

  /**
   * Samples, evaluates and solves rows {@code first .. first + count - 1} together, so that their
   * coalitions fill large model calls.
   */
  private void explainGroup(Batch batch, int first, int count) {
    int width = explainer.width;
    int perRow = sampler.maxCoalitions();
    WeightedCoalitions[] chosen = new WeightedCoalitions[count];
    // The evaluator takes as many coalitions for every row. A row whose draws ran out of new
    // pairs (a budget close to 2^M - 2) has fewer; it is padded with empty coalitions, whose
    // values are not used.
    boolean[] masks = new boolean[count * perRow * players];
    for (int i = 0; i < count; i++) {
      chosen[i] = sampler.sample(new SplittableRandom(batch.rowSeeds()[first + i]));
      System.arraycopy(
          chosen[i].masks(), 0, masks, i * perRow * players, chosen[i].count() * players);
    }
    double[] coalitionValues =
        evaluator.evaluate(
            Arrays.copyOfRange(batch.inputs(), first * width, (first + count) * width),
            count,
            Arrays.copyOfRange(batch.targets(), first, first + count),
            masks,
            perRow);

    for (int i = 0; i < count; i++) {
      int row = first + i;
      WeightedCoalitions coalitions = chosen[i];
      double reference = batch.references()[row];
      double[] y = new double[coalitions.count()];
      for (int k = 0; k < y.length; k++) {
        y[k] = coalitionValues[i * perRow + k] - reference;
      }
      fitRow(coalitions, y, batch.outputs()[row] - reference, batch, row);
    }
  }

  /**
   * The target-error path for rows {@code first .. first + count - 1}: rounds of pairs, each
   * evaluated for the rows still short of the target together, each row refitted on all it has
   * after every round (see the class).
   */
  private void explainGroupToTarget(Batch batch, int first, int count, Attributions.Effort effort) {
    int width = explainer.width;
    ShapleyKernelSampler.Draws[] draws = new ShapleyKernelSampler.Draws[count];
    double[][] y = new double[count][];
    int[] taken = new int[count];
    int[] active = new int[count];
    int mostPairs = 0;
    for (int i = 0; i < count; i++) {
      draws[i] = sampler.draw(new SplittableRandom(batch.rowSeeds()[first + i]));
      y[i] = new double[sampler.maxCoalitions()];
      active[i] = i;
      mostPairs = Math.max(mostPairs, draws[i].pairs());
    }
    int enumerated = count == 0 ? 0 : draws[0].enumerated();
    int activeRows = count;
    int upTo = Math.min(mostPairs, Math.max(FIRST_ROUND_PAIRS, (mostPairs + 15) / 16));
    boolean firstRound = true;
    while (activeRows > 0) {
      // This round's new coalitions per row: the enumerated ones in the first round, then the
      // pairs from the last round's end up to upTo; a row out of pairs is padded with empty ones.
      int perRow = 0;
      for (int a = 0; a < activeRows; a++) {
        int i = active[a];
        perRow = Math.max(perRow, 2 * (Math.min(upTo, draws[i].pairs()) - taken[i]));
      }
      perRow += firstRound ? enumerated : 0;
      boolean[] masks = new boolean[activeRows * perRow * players];
      float[] groupInputs = new float[activeRows * width];
      int[] groupTargets = new int[activeRows];
      for (int a = 0; a < activeRows; a++) {
        int i = active[a];
        int from = firstRound ? 0 : enumerated + 2 * taken[i];
        int to = enumerated + 2 * Math.min(upTo, draws[i].pairs());
        boolean[] prefix = draws[i].coalitions(Math.min(upTo, draws[i].pairs())).masks();
        System.arraycopy(prefix, from * players, masks, a * perRow * players, (to - from) * players);
        System.arraycopy(batch.inputs(), (first + i) * width, groupInputs, a * width, width);
        groupTargets[a] = batch.targets()[first + i];
      }
      double[] coalitionValues = evaluator.evaluate(groupInputs, activeRows, groupTargets, masks, perRow);
      int still = 0;
      for (int a = 0; a < activeRows; a++) {
        int i = active[a];
        int row = first + i;
        int from = firstRound ? 0 : enumerated + 2 * taken[i];
        taken[i] = Math.min(upTo, draws[i].pairs());
        int to = enumerated + 2 * taken[i];
        double reference = batch.references()[row];
        for (int k = from; k < to; k++) {
          y[i][k] = coalitionValues[a * perRow + k - from] - reference;
        }
        fitRow(draws[i].coalitions(taken[i]), Arrays.copyOf(y[i], to), batch.outputs()[row] - reference, batch, row);
        effort.evaluations()[row] = (long) to * evaluator.evaluationsPerCoalition() + 1;
        effort.targetMet()[row] = ErrorTarget.met(targetError, batch.values(), batch.errors(), row, players);
        if (!effort.targetMet()[row] && taken[i] < draws[i].pairs()) {
          active[still++] = i;
        }
      }
      activeRows = still;
      firstRound = false;
      upTo = (int) Math.min(mostPairs, upTo + Math.ceil(upTo * ROUND_GROWTH));
    }
  }

  /**
   * Fits one row's regression and writes its values and standard errors.
   *
   * <p>A coalition followed by its complement at the same weight and in the same draw enters the
   * regression as one row. Given {@code sum phi = delta},
   *
   * <pre>
   *   w (y1 - z.phi)^2 + w (y2 - (1 - z).phi)^2 = 2w (z.phi - (y1 + delta - y2) / 2)^2 + const,
   * </pre>
   *
   * and deleting one of the pair's d draws takes {@code w / d} off both coalitions, which is {@code
   * 2w / d} off the merged row. The coefficients and the jackknife errors are therefore those of
   * the unmerged problem, from half the rows, and each draw's leverage in the jackknife is a number
   * instead of a 2 x 2 matrix. The sampler writes every sampled pair, and every enumerated
   * coalition whose complement has another size, as such adjacent coalitions.
   */
  private void fitRow(WeightedCoalitions coalitions, double[] y, double delta, Batch batch, int row) {
    int n = coalitions.count();
    boolean[] masks = coalitions.masks();
    double[] weights = coalitions.weights();
    int[] pairOf = coalitions.pairOf();
    boolean[] fitMasks = new boolean[n * players];
    double[] fitY = new double[n];
    double[] fitWeights = new double[n];
    int[] clusterOf = new int[n];
    int rows = 0;
    for (int k = 0; k < n; k++) {
      System.arraycopy(masks, k * players, fitMasks, rows * players, players);
      clusterOf[rows] = pairOf[k];
      if (k + 1 < n
          && weights[k + 1] == weights[k]
          && pairOf[k + 1] == pairOf[k]
          && complementary(masks, k * players, (k + 1) * players)) {
        fitY[rows] = (y[k] + delta - y[k + 1]) / 2;
        fitWeights[rows] = 2 * weights[k];
        k++;
      } else {
        fitY[rows] = y[k];
        fitWeights[rows] = weights[k];
      }
      rows++;
    }
    ConstrainedWeightedLeastSquares fit =
        ConstrainedWeightedLeastSquares.solve(
            Arrays.copyOf(fitMasks, rows * players),
            players,
            Arrays.copyOf(fitY, rows),
            Arrays.copyOf(fitWeights, rows),
            delta);
    System.arraycopy(fit.coefficients(), 0, batch.values(), row * players, players);
    System.arraycopy(
        fit.standardErrors(Arrays.copyOf(clusterOf, rows), coalitions.pairDraws()),
        0,
        batch.errors(),
        row * players,
        players);
  }

  /** Whether the coalitions at flags {@code a} and {@code b} are each other's complement. */
  private boolean complementary(boolean[] masks, int a, int b) {
    for (int p = 0; p < players; p++) {
      if (masks[a + p] == masks[b + p]) {
        return false;
      }
    }
    return true;
  }
}
