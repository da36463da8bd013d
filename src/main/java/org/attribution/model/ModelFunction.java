package org.attribution.model;

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
}
