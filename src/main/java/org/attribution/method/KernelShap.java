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
 */
public final class KernelShap implements AttributionMethod {

  private final BackgroundExplainer explainer;
  private final CoalitionEvaluator evaluator;
  private final ShapleyKernelSampler sampler;
  private final int players;

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
      for (int r = 0; r < rows; r++) {
        values[r] = outputs[r] - references[r];
      }
    } else {
      int groupRows = Math.min(rows, explainer.unitsPerEvaluation(sampler.maxCoalitions()));
      Batch batch = new Batch(inputs, targets, rowSeeds, outputs, references, values, errors);
      for (int first = 0; first < rows; first += groupRows) {
        explainGroup(batch, first, Math.min(groupRows, rows - first));
      }
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
