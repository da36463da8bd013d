package org.attribution.model;

import java.nio.FloatBuffer;
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
   * Evaluates the first {@code rows} rows of a buffer that may hold more, for callers that fill
   * one buffer for calls of different sizes. This default copies those rows for {@link #forward};
   * an engine that reads them in place skips the copy, a megabyte for a call of a few thousand
   * rows.
   *
   * @param buffer at least {@code rows x inputWidth()} values, row-major
   * @param rows number of rows to evaluate, from the start of {@code buffer}
   * @return {@code rows x outputWidth()} outputs, row-major
   */
  default float[] forwardHead(float[] buffer, int rows) {
    int length = rows * inputWidth();
    return forward(buffer.length == length ? buffer : Arrays.copyOf(buffer, length), rows);
  }

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
    PathArithmetic arithmetic = PathArithmetic.of(paths, width);
    float[] points = new float[count * width];
    arithmetic.writePoints(FloatBuffer.wrap(points));
    float[] gradients = gradient(points, count, Arrays.copyOf(paths.targets(), count), null);
    if (gradients.length != count * width) {
      throw new IllegalStateException("Cannot take path gradients: the model returned " + gradients.length
          + " gradient values for " + count + " rows of " + width);
    }
    return arithmetic.sums(FloatBuffer.wrap(gradients), playerOfColumn, players);
  }
}
