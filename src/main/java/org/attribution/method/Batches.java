package org.attribution.method;

import java.util.Arrays;
import org.attribution.model.ModelFunction;

/** The checks every method makes of a batch and of the size of its model calls. */
final class Batches {

  /** The largest Java array a model call's inputs may need (the JVM's own limit). */
  static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

  private Batches() {}

  /**
   * Checks a batch against the model's widths.
   *
   * @throws IllegalArgumentException naming what does not fit
   */
  static void check(int width, int outputWidth, float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    if (rows <= 0) {
      throw new IllegalArgumentException("Cannot explain rows: the row count must be positive, got " + rows);
    }
    if (inputs.length != (long) rows * width) {
      throw new IllegalArgumentException("Cannot explain " + rows + " rows: expected " + rows + " x " + width
          + " input values, got " + inputs.length);
    }
    if (targets.length != rows) {
      throw new IllegalArgumentException(
          "Cannot explain " + rows + " rows: expected " + rows + " targets, got " + targets.length);
    }
    if (rowSeeds.length != rows) {
      throw new IllegalArgumentException(
          "Cannot explain " + rows + " rows: expected " + rows + " row seeds, got " + rowSeeds.length);
    }
    for (int r = 0; r < rows; r++) {
      if (targets[r] < 0 || targets[r] >= outputWidth) {
        throw new IllegalArgumentException(
            "Cannot explain row " + r + ": target " + targets[r] + " is outside [0, " + outputWidth + ")");
      }
    }
  }

  /**
   * Rows per call that split {@code evaluations} into as few calls as {@code maxRows} allows, all of
   * about equal size. A short last call costs more per row than a full one: on the sample model a
   * 240-row forward call runs at about 80% of the per-row speed of a 1,024-row call.
   */
  static int evenCallSize(long evaluations, int maxRows) {
    if (evaluations <= maxRows) {
      return (int) Math.max(1, evaluations);
    }
    long calls = (evaluations + maxRows - 1) / maxRows;
    return (int) ((evaluations + calls - 1) / calls);
  }

  /**
   * Checks that a model call of {@code rows} rows of {@code width} columns fits in one array.
   *
   * @param action what the caller does, for the message ("compute gradient SHAP")
   */
  static void checkCallSize(String action, long rows, int width) {
    if (rows * width > MAX_ARRAY_LENGTH) {
      throw new IllegalArgumentException("Cannot " + action + ": a model call of " + rows + " rows of " + width
          + " columns would not fit in one Java array; lower maxEvaluationRows");
    }
  }

  /**
   * f(x) at each row's target, in forward calls of at most {@code maxCallRows} rows.
   *
   * @param action what the caller does, for the message ("integrate gradients")
   * @throws IllegalStateException if the model returns another number of outputs
   */
  static double[] targetOutputs(
      ModelFunction model, float[] inputs, int rows, int[] targets, int maxCallRows, String action) {
    int width = model.inputWidth();
    int outputWidth = model.outputWidth();
    double[] outputs = new double[rows];
    for (int first = 0; first < rows; first += maxCallRows) {
      int chunk = Math.min(maxCallRows, rows - first);
      float[] batch = chunk == rows ? inputs : Arrays.copyOfRange(inputs, first * width, (first + chunk) * width);
      float[] values = model.forward(batch, chunk);
      if (values.length != chunk * outputWidth) {
        throw new IllegalStateException("Cannot " + action + ": the model returned " + values.length
            + " outputs for " + chunk + " rows of " + outputWidth);
      }
      for (int i = 0; i < chunk; i++) {
        outputs[first + i] = values[i * outputWidth + targets[first + i]];
      }
    }
    return outputs;
  }
}
