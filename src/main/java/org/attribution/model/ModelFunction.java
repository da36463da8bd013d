package org.attribution.model;

import java.util.Arrays;

/**
 * A differentiable model seen as a function of a batch of rows: the only thing attribution
 * methods know about a model.
 *
 * <p>Batches travel as row-major {@code float[]} arrays so that analytic test models can
 * implement this interface in a few lines and no engine type (NDArray, tensor) ever leaves an
 * implementation. Implementations must be safe to call from several threads at once: a Spark
 * executor runs several tasks in one JVM against one shared model.
 */
public interface ModelFunction {

  /** Number of input columns of one row. */
  int inputWidth();

  /** Number of outputs of one row (classes, or 1 for a regression or single-logit model). */
  int outputWidth();

  /**
   * Evaluates the model.
   *
   * @param inputs {@code rows x inputWidth()} values, row-major
   * @param rows number of rows in {@code inputs}
   * @return {@code rows x outputWidth()} outputs, row-major
   */
  float[] forward(float[] inputs, int rows);

  /**
   * Gradient of one chosen output of each row with respect to that row's input.
   *
   * @param inputs {@code rows x inputWidth()} values, row-major
   * @param rows number of rows in {@code inputs}
   * @param targets for each row, the index of the output to differentiate
   * @param targetOutputs if not null, receives the value of output {@code targets[r]} of row
   *     {@code r} (length at least {@code rows}); it comes free with the gradient
   * @return {@code rows x inputWidth()} gradients, row-major
   */
  float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs);

  /**
   * Gradients at points on straight paths, each multiplied by its path's step and summed per
   * player: for point k at {@code p = s + alpha (e - s)} (see {@link PathPoints}), and each player
   * q, {@code sum over q's columns c of (e_c - s_c) * dF/dx_c (p)}, where F is output {@code
   * targets[k]}. The point is computed in float64 and fed to the model in float32, as {@link
   * #gradient}'s inputs are; the step and the products are float64.
   *
   * <p>This default builds the points in Java, calls {@link #gradient} once, and sums each
   * player's columns in column order. An engine may do the same work where the model runs, which
   * spares the JVM building and reading {@code count x inputWidth} values per call; it may then
   * sum a player's columns in another order, so the sums may differ from this default in their
   * last bits, but a point's sums must not depend on the other points of the call.
   *
   * @param paths the points, their paths and targets
   * @param playerOfColumn for each input column, the index of its player
   * @param players how many players there are
   * @return {@code paths.count() x players} sums, row-major
   * @throws IllegalArgumentException if a point's rows or target do not exist
   */
  default double[] pathGradients(PathPoints paths, int[] playerOfColumn, int players) {
    int width = inputWidth();
    paths.check(width, outputWidth());
    int count = paths.count();
    // Points on one path share its step, computed once: Gradient SHAP's points are a few rows'
    // samples against a few background rows, so a call holds far fewer paths than points, and
    // their steps stay in the cache. A table of every (end, start) pair when that is small.
    int endRows = paths.ends().length / width;
    int startRows = paths.starts().length / width;
    boolean shared = (long) endRows * startRows <= Math.min(16L * count, Integer.MAX_VALUE / 2);
    int[] pathIndex = shared ? new int[endRows * startRows] : null;
    int[] stepAt = new int[count];
    double[] steps = new double[(shared ? Math.min(count, endRows * startRows) : count) * width];
    int stepRows = 0;
    float[] points = new float[count * width];
    for (int k = 0, out = 0; k < count; k++) {
      int end = paths.endOf()[k] * width;
      int start = paths.startOf()[k] * width;
      int key = shared ? paths.endOf()[k] * startRows + paths.startOf()[k] : 0;
      if (!shared || pathIndex[key] == 0) {
        for (int c = 0, at = stepRows * width; c < width; c++, at++) {
          steps[at] = paths.ends()[end + c] - paths.starts()[start + c];
        }
        stepRows++;
        if (shared) {
          pathIndex[key] = stepRows;
        }
      }
      int step = (shared ? pathIndex[key] - 1 : stepRows - 1) * width;
      stepAt[k] = step;
      double alpha = paths.alphas()[k];
      for (int c = 0; c < width; c++, out++) {
        points[out] = (float) (paths.starts()[start + c] + alpha * steps[step + c]);
      }
    }
    float[] gradients = gradient(points, count, Arrays.copyOf(paths.targets(), count), null);
    if (gradients.length != count * width) {
      throw new IllegalStateException("Cannot take path gradients: the model returned " + gradients.length
          + " gradient values for " + count + " rows of " + width);
    }
    // Each run of consecutive columns of one player is summed in a register, in column order as
    // before: adding into the sums array column by column waited on a store and reload of the
    // same sum (229 ns per point of 119 columns, against 97; the gradient itself costs about 1,700).
    int[] runEnds = runEnds(playerOfColumn, width);
    double[] sums = new double[count * players];
    for (int k = 0, in = 0; k < count; k++, in += width) {
      int step = stepAt[k];
      for (int r = 0, c = 0; r < runEnds.length; r++) {
        int at = k * players + playerOfColumn[c];
        double sum = sums[at];
        for (int end = runEnds[r]; c < end; c++) {
          sum += steps[step + c] * gradients[in + c];
        }
        sums[at] = sum;
      }
    }
    return sums;
  }

  /** Where each run of consecutive columns of one player ends (exclusive), in column order. */
  private static int[] runEnds(int[] playerOfColumn, int width) {
    int[] ends = new int[width];
    int runs = 0;
    for (int c = 1; c <= width; c++) {
      if (c == width || playerOfColumn[c] != playerOfColumn[c - 1]) {
        ends[runs++] = c;
      }
    }
    return Arrays.copyOf(ends, runs);
  }
}
