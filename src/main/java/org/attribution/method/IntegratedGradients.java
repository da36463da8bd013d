package org.attribution.method;

import java.util.Objects;
import org.attribution.model.ModelFunction;

/**
 * Integrated Gradients (Sundararajan, Taly and Yan, 2017): the attribution of input column i is
 * {@code (x_i - x'_i) * integral over alpha in [0, 1] of dF/dx_i (x' + alpha (x - x')) dalpha},
 * with the integral replaced by an {@link IntegrationRule}.
 *
 * <p>A batch is expanded into rows x steps points on the straight paths from the baseline to each
 * row, and the points are evaluated in model calls of at most {@code maxEvaluationRows} rows; a
 * call may span several input rows and split one row's steps. Each (row, column) sum is accumulated
 * in step order whatever the chunk boundaries, so the chunk size cannot change the result as long
 * as the model's gradient for a point does not depend on the other points in its batch (true of
 * analytic models; a GPU engine may round differently per batch size).
 *
 * <p>Instances are immutable and keep no buffers between calls, so one instance may explain batches
 * on several threads at once.
 */
public final class IntegratedGradients implements AttributionMethod {

  private final ModelFunction model;
  private final float[] baseline;
  /** The baseline widened once: the path loop then runs on doubles alone, which HotSpot vectorises. */
  private final double[] start;
  private final double[] alphas;
  private final double[] weights;
  private final int maxEvaluationRows;
  private final FeatureGroups groups;
  private final int width;
  private final int outputWidth;

  /**
   * @param model the model to explain
   * @param baseline the path's starting point, one value per input column
   * @param rule how the path integral is discretised
   * @param steps number of gradient evaluations per row
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @param groups how input columns are summed into reported players
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public IntegratedGradients(
      ModelFunction model,
      float[] baseline,
      IntegrationRule rule,
      int steps,
      int maxEvaluationRows,
      FeatureGroups groups) {
    this.model = Objects.requireNonNull(model, "model");
    this.width = model.inputWidth();
    this.outputWidth = model.outputWidth();
    if (baseline.length != width) {
      throw new IllegalArgumentException(
          "Cannot integrate gradients: the baseline has "
              + baseline.length
              + " columns but the model takes "
              + width);
    }
    for (int c = 0; c < width; c++) {
      if (!Float.isFinite(baseline[c])) {
        throw new IllegalArgumentException(
            "Cannot integrate gradients: baseline column " + c + " is " + baseline[c]);
      }
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException(
          "Cannot integrate gradients: maxEvaluationRows must be at least 1, got "
              + maxEvaluationRows);
    }
    if (groups.columns() != width) {
      throw new IllegalArgumentException(
          "Cannot integrate gradients: the feature groups cover "
              + groups.columns()
              + " columns but the model takes "
              + width);
    }
    Quadrature quadrature = rule.quadrature(steps);
    this.baseline = baseline.clone();
    this.start = new double[width];
    for (int c = 0; c < width; c++) {
      start[c] = baseline[c];
    }
    this.alphas = quadrature.alphas();
    this.weights = quadrature.weights();
    this.maxEvaluationRows = maxEvaluationRows;
    this.groups = groups;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Outputs are f(x) and references f(baseline), both at each row's target, so {@link
   * Attributions#gap} is the quadrature error of each row.
   *
   * @throws IllegalArgumentException if the arrays do not match {@code rows} and the model's
   *     widths, or a target is not an output of the model
   */
  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    Batches.check(width, outputWidth, inputs, rows, targets, rowSeeds);
    double[] perColumn = integrateGradients(inputs, rows, targets);
    for (int r = 0; r < rows; r++) {
      int row = r * width;
      for (int c = 0; c < width; c++) {
        perColumn[row + c] *= (double) inputs[row + c] - baseline[c];
      }
    }
    return new Attributions(
        rows,
        groups.players(),
        groups.sumByPlayer(perColumn, rows),
        Batches.targetOutputs(model, inputs, rows, targets, maxEvaluationRows, "integrate gradients"),
        references(rows, targets));
  }

  /**
   * For each (row, column), the weighted sum over the path of the target's gradient.
   *
   * <p>The plan is the sequence of (row, step) pairs in row-major order, cut into chunks of at most
   * maxEvaluationRows, as equal in size as they go. The model takes a batch as a whole array, so
   * chunks are passed in exactly sized arrays: all full chunks share one pair of arrays, and only
   * the last chunk, when shorter, needs its own.
   */
  private double[] integrateGradients(float[] inputs, int rows, int[] targets) {
    int steps = alphas.length;
    int fullChunk = Batches.evenCallSize((long) rows * steps, maxEvaluationRows);
    Batches.checkCallSize("explain " + rows + " rows", fullChunk, width);
    double[] sums = new double[rows * width];
    float[] fullPoints = new float[fullChunk * width];
    int[] fullTargets = new int[fullChunk];
    double[] delta = new double[width];
    // (row, step) of the next point to evaluate; a chunk may stop inside a row.
    int row = 0;
    int step = 0;
    while (row < rows) {
      long remaining = (long) (rows - row) * steps - step;
      int chunk = (int) Math.min(fullChunk, remaining);
      float[] points = chunk == fullChunk ? fullPoints : new float[chunk * width];
      int[] chunkTargets = chunk == fullChunk ? fullTargets : new int[chunk];

      int r = row;
      int k = step;
      pathOffsets(inputs, r, delta);
      for (int i = 0; i < chunk; i++) {
        double alpha = alphas[k];
        int out = i * width;
        for (int c = 0; c < width; c++) {
          points[out + c] = (float) (start[c] + alpha * delta[c]);
        }
        chunkTargets[i] = targets[r];
        if (++k == steps) {
          k = 0;
          if (++r < rows) {
            pathOffsets(inputs, r, delta);
          }
        }
      }

      float[] gradients = model.gradient(points, chunk, chunkTargets, null);
      checkLength(gradients, chunk, width, "gradient values");

      for (int i = 0; i < chunk; i++) {
        double weight = weights[step];
        int at = row * width;
        int from = i * width;
        for (int c = 0; c < width; c++) {
          sums[at + c] += weight * gradients[from + c];
        }
        if (++step == steps) {
          step = 0;
          row++;
        }
      }
    }
    return sums;
  }

  /** x - baseline of one row, the direction of its path. */
  private void pathOffsets(float[] inputs, int row, double[] delta) {
    int in = row * width;
    for (int c = 0; c < width; c++) {
      delta[c] = inputs[in + c] - start[c];
    }
  }

  /** f(baseline) at each row's target, from one forward call. */
  private double[] references(int rows, int[] targets) {
    float[] values = model.forward(baseline, 1);
    checkLength(values, 1, outputWidth, "outputs");
    double[] references = new double[rows];
    for (int r = 0; r < rows; r++) {
      references[r] = values[targets[r]];
    }
    return references;
  }

  private static void checkLength(float[] values, int rows, int perRow, String what) {
    if (values.length != rows * perRow) {
      throw new IllegalStateException(
          "Cannot integrate gradients: the model returned "
              + values.length
              + " "
              + what
              + " for "
              + rows
              + " rows of "
              + perRow);
    }
  }
}
