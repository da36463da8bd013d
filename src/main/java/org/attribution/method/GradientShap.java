package org.attribution.method;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;

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
 * <p>Cost per row: {@code samples} gradient evaluations plus one forward pass. The (row, sample)
 * points of a batch are evaluated in gradient calls of at most {@code maxEvaluationRows} rows, and
 * each value is accumulated in sample order, so neither the batch nor the call size changes a
 * row's result. Instances are immutable and may be shared by threads.
 */
public final class GradientShap implements AttributionMethod {

  private final BackgroundExplainer explainer;
  private final int samples;
  private final double noiseStdDev;
  private final int fullChunk;
  /** Cumulative background weights: row b takes the positions in [cumulative[b-1], cumulative[b]). */
  private final double[] cumulative;
  /** The last background row with a positive weight. */
  private final int lastWeighted;

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
    // A call never mixes rows, so a row's result cannot depend on its batch (see CoalitionEvaluator).
    this.fullChunk = Math.min(maxEvaluationRows, samples);
    Batches.checkCallSize("compute gradient SHAP", fullChunk, explainer.width);
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
    SampleMeans estimates = new SampleMeans(rows * players);
    float[] points = new float[fullChunk * width];
    double[] differences = new double[fullChunk * width];
    int[] pointTargets = new int[fullChunk];
    int[] pointRows = new int[fullChunk];
    Plan plan = new Plan(rowSeeds[0]);
    // (row, sample) of the next point; a chunk may stop inside a row, whose plan carries over.
    int row = 0;
    int sample = 0;
    while (row < rows) {
      int chunk = Math.min(fullChunk, samples - sample);
      for (int i = 0; i < chunk; i++) {
        plan.point(inputs, row * width, sample, points, differences, i * width);
        pointTargets[i] = targets[row];
        pointRows[i] = row;
        if (++sample == samples) {
          sample = 0;
          if (++row < rows) {
            plan = new Plan(rowSeeds[row]);
          }
        }
      }
      float[] gradients = chunk == fullChunk
          ? explainer.model.gradient(points, chunk, pointTargets, null)
          : explainer.model.gradient(
              Arrays.copyOf(points, chunk * width),
              chunk,
              Arrays.copyOf(pointTargets, chunk),
              null);
      if (gradients.length != chunk * width) {
        throw new IllegalStateException(
            "Cannot compute gradient SHAP: the model returned " + gradients.length
                + " gradient values for " + chunk + " rows of " + width);
      }
      for (int j = 0; j < chunk * width; j++) {
        differences[j] *= gradients[j];
      }
      double[] perPlayer = explainer.groups.sumByPlayer(differences, chunk);
      for (int i = 0; i < chunk; i++) {
        for (int p = 0; p < players; p++) {
          estimates.add(pointRows[i] * players + p, perPlayer[i * players + p]);
        }
      }
    }
    return new Attributions(
        rows,
        players,
        estimates.means(),
        explainer.outputs(inputs, rows, targets),
        explainer.references(rows, targets),
        estimates.standardErrors());
  }

  /** One row's background picks and path points, and the stream its noise comes from. */
  private final class Plan {
    private final SplittableRandom random;
    private final int[] picks = new int[samples];
    private final double[] alphas = new double[samples];
    private final float[] baseline = new float[explainer.width];

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

    /**
     * Writes sample j's point {@code b + alpha (x' - b)} into {@code points} and {@code x' - b}
     * into {@code differences}, both at {@code out}, drawing the sample's noise.
     */
    void point(float[] inputs, int in, int j, float[] points, double[] differences, int out) {
      explainer.background.copyRow(picks[j], baseline, 0);
      for (int c = 0; c < baseline.length; c++) {
        double x = inputs[in + c];
        if (noiseStdDev > 0) {
          x += noiseStdDev * random.nextGaussian();
        }
        double difference = x - baseline[c];
        points[out + c] = (float) (baseline[c] + alphas[j] * difference);
        differences[out + c] = difference;
      }
    }
  }
}
