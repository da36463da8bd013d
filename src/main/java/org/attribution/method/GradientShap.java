package org.attribution.method;

import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;
import org.attribution.model.PathPoints;

/**
 * Gradient SHAP, or expected gradients (Erion, Janizek, Sturmfels, Lundberg and Lee, 2021; Captum's
 * {@code GradientShap}): Integrated Gradients averaged over baselines drawn from the background,
 * with the path integral itself sampled. For input column c of row x,
 * {@code phi_c = mean over samples j of (x'_j,c - b_j,c) dF/dx_c (b_j + alpha_j (x'_j - b_j))},
 * where F is the target output, b_j a background row, alpha_j a point on [0, 1], and {@code x'_j =
 * x + noise} with independent N(0, noiseStdDev^2) noise per column (none when noiseStdDev is 0,
 * the usual choice; noise gives SmoothGrad-style averaging). Columns are then summed per player.
 *
 * <p>Sampling, all from {@code new SplittableRandom(rowSeeds[r])} for row r, drawn in this order:
 * background rows by systematic sampling over the cumulative weights (one offset u in [0, 1), the
 * j-th pick at position {@code (j + u) / samples}), so each row is used {@code weight x samples}
 * times, rounded one way or the other; then stratified points {@code alpha_j = (j + u_j) /
 * samples}; then a shuffle of the points across the samples, without which systematic sampling
 * would pair the first background rows with the smallest points; then the noise, sample by sample.
 * When {@code weight x samples} is a whole number for every background row (equal weights and a
 * multiple of the background size as sample count, say) and there is no noise, the mean of {@code
 * x - b_j} is exactly x minus the background mean, so a linear model gets its Shapley values
 * {@code w (x - E[b])} exactly.
 *
 * <p>Outputs are f(x) and references the base value (the weighted mean of the model over the
 * background), at each row's target. The attributions sum to {@code f(x) - base value} only in
 * expectation (exactly for linear models under the condition above), so {@link Attributions#gap}
 * shows the sampling and path error of each row. Standard errors treat the per-sample estimates as
 * independent: the sample standard deviation of a player's per-sample estimates over {@code
 * sqrt(samples)} (NaN with one sample). Systematic and stratified sampling make the actual error
 * smaller, so these overstate it: for a linear model they are positive though the result is exact.
 *
 * <p>Cost per row: {@code samples} gradient evaluations and one forward evaluation, at x itself,
 * for f(x) (the batch's rows in forward calls of their own). A batch's points, row by row and each
 * row's in sample order, go to {@link ModelFunction#pathGradients} in calls of at most {@code
 * maxEvaluationRows} points, evenly sized, so one call holds several rows' points (a 200-point
 * call per row ran at half the speed the model reaches with larger calls). The model builds the
 * points and sums each point's products per player (on a GPU, libtorch does it next to its
 * gradient call). Each row's values are folded in its own sample order, so the batch and the call
 * size change a row's result only through the model's value at each point: with libtorch, through
 * whatever makes a row's float32 result depend on the rest of its call (see {@link
 * CoalitionEvaluator} and the README), the same dependence Integrated Gradients has. A model whose
 * per-row results do not depend on the rest of the call (every analytic test model, and the
 * sample model for calls of 32 rows or more, which {@code TorchScriptModel} pads shorter calls to)
 * gives every row the same result bit for bit whatever it is batched with. Instances
 * are immutable and may be shared by threads.
 */
public final class GradientShap implements AttributionMethod {

  private final BackgroundExplainer explainer;
  private final int samples;
  private final double noiseStdDev;
  private final int maxCallRows;
  /** Cumulative background weights: row b takes the positions in [cumulative[b-1], cumulative[b]). */
  private final double[] cumulative;
  /** The last background row with a positive weight. */
  private final int lastWeighted;
  /**
   * The background rows widened to double once: converting each float as it is read made the
   * point loop several times slower (the JIT's float-to-double conversions run one at a time).
   */
  private final double[] backgroundRows;

  /**
   * @param model the model to explain
   * @param background the weighted background baselines are drawn from
   * @param groups how input columns are summed into reported players
   * @param samples (background row, path point) samples per explained row
   * @param noiseStdDev standard deviation of the Gaussian noise added to each input column per
   *     sample; 0 for none
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @throws IllegalArgumentException if the arguments do not fit the model or each other, samples
   *     is below 1, or noiseStdDev is negative or not finite
   */
  public GradientShap(
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      int samples,
      double noiseStdDev,
      int maxEvaluationRows) {
    if (samples < 1) {
      throw new IllegalArgumentException(
          "Cannot compute gradient SHAP: samples must be at least 1, got " + samples);
    }
    if (!(noiseStdDev >= 0) || Double.isInfinite(noiseStdDev)) {
      throw new IllegalArgumentException(
          "Cannot compute gradient SHAP: noiseStdDev must be finite and non-negative, got "
              + noiseStdDev);
    }
    this.explainer = new BackgroundExplainer(
        "compute gradient SHAP", model, background, groups, maxEvaluationRows);
    this.samples = samples;
    this.noiseStdDev = noiseStdDev;
    // One row's points must fit one call; several rows' may share one, up to the JVM's array limit.
    Batches.checkCallSize("compute gradient SHAP", Math.min(maxEvaluationRows, (long) samples), explainer.width);
    this.maxCallRows = Math.min(maxEvaluationRows, Batches.MAX_ARRAY_LENGTH / explainer.width);
    double[] weights = background.weights();
    this.cumulative = new double[weights.length];
    double sum = 0;
    int last = 0;
    for (int b = 0; b < weights.length; b++) {
      sum += weights[b];
      cumulative[b] = sum;
      if (weights[b] > 0) {
        last = b;
      }
    }
    this.lastWeighted = last;
    this.backgroundRows = new double[background.rows().length];
    widen(background.rows(), 0, backgroundRows);
  }

  /** Fills {@code into} with the floats of {@code values} from {@code from} on, as doubles. */
  private static void widen(float[] values, int from, double[] into) {
    for (int i = 0; i < into.length; i++) {
      into[i] = values[from + i];
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws IllegalArgumentException if the arrays do not match {@code rows} and the model's
   *     widths, a target is not an output of the model, or one gradient call would not fit in a
   *     Java array
   */
  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    explainer.checkBatch(inputs, rows, targets, rowSeeds);
    int width = explainer.width;
    int players = explainer.players();
    long totalPoints = (long) rows * samples;
    int callRows = Batches.evenCallSize(totalPoints, maxCallRows);
    SampleMeans estimates = new SampleMeans(rows * players);
    // Without noise every sample of a row ends at the row itself; with it, each ends at its own
    // noisy copy, one end row per point of the call.
    double[] ends = new double[(noiseStdDev > 0 ? callRows : rows) * width];
    if (noiseStdDev == 0) {
      widen(inputs, 0, ends);
    }
    int[] endOf = new int[callRows];
    int[] startOf = new int[callRows];
    double[] alphas = new double[callRows];
    int[] pointTargets = new int[callRows];
    int[] pointRows = new int[callRows];
    int[] playerOfColumn = explainer.groups.playerOfColumn();
    Plan plan = null;
    long next = 0;
    while (next < totalPoints) {
      int chunk = (int) Math.min(callRows, totalPoints - next);
      for (int i = 0; i < chunk; i++, next++) {
        int r = (int) (next / samples);
        int j = (int) (next % samples);
        if (j == 0) {
          plan = new Plan(rowSeeds[r]);
        }
        if (noiseStdDev > 0) {
          plan.noisyCopy(inputs, r * width, ends, i * width);
          endOf[i] = i;
        } else {
          endOf[i] = r;
        }
        startOf[i] = plan.picks[j];
        alphas[i] = plan.alphas[j];
        pointTargets[i] = targets[r];
        pointRows[i] = r;
      }
      double[] sums = explainer.model.pathGradients(
          new PathPoints(ends, backgroundRows, endOf, startOf, alphas, pointTargets, chunk), playerOfColumn, players);
      if (sums.length != chunk * players) {
        throw new IllegalStateException("Cannot compute gradient SHAP: the model returned " + sums.length
            + " path sums for " + chunk + " points of " + players + " players");
      }
      for (int i = 0; i < chunk; i++) {
        for (int p = 0; p < players; p++) {
          estimates.add(pointRows[i] * players + p, sums[i * players + p]);
        }
      }
    }
    return new Attributions(
        rows,
        players,
        estimates.means(),
        Batches.targetOutputs(explainer.model, inputs, rows, targets, maxCallRows, "compute gradient SHAP"),
        explainer.references(rows, targets),
        estimates.standardErrors());
  }

  /** One row's background picks and path points, and the stream its noise comes from. */
  private final class Plan {
    private final SplittableRandom random;
    private final int[] picks = new int[samples];
    private final double[] alphas = new double[samples];

    Plan(long seed) {
      random = new SplittableRandom(seed);
      double offset = random.nextDouble();
      int b = 0;
      for (int j = 0; j < samples; j++) {
        double position = (j + offset) / samples;
        // Positions ascend, so the search resumes where the last one stopped. Stopping at the
        // last row with weight keeps a position that rounding puts past the final cumulative
        // weight off any zero-weight rows after it.
        while (b < lastWeighted && cumulative[b] <= position) {
          b++;
        }
        picks[j] = b;
      }
      for (int j = 0; j < samples; j++) {
        alphas[j] = (j + random.nextDouble()) / samples;
      }
      for (int j = samples - 1; j > 0; j--) {
        int k = random.nextInt(j + 1);
        double swap = alphas[j];
        alphas[j] = alphas[k];
        alphas[k] = swap;
      }
    }

    /** Writes x plus the next sample's noise, one draw per column in column order, into {@code ends} at {@code out}. */
    void noisyCopy(float[] inputs, int in, double[] ends, int out) {
      for (int c = 0; c < explainer.width; c++) {
        ends[out + c] = inputs[in + c] + noiseStdDev * random.nextGaussian();
      }
    }
  }
}
