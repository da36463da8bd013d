package org.attribution.method;

import java.util.Arrays;
import java.util.Objects;
import org.attribution.model.ModelFunction;

/**
 * What the one-gradient methods (saliency, input x gradient) share: the target's gradient at each
 * row itself, with the target's value that comes free with it, in gradient calls of at most
 * {@code maxEvaluationRows} rows that pack as many rows as fit. As for Integrated Gradients, the
 * call size cannot change a row's result as long as the model's gradient for a row does not
 * depend on the other rows of its call. Immutable, so it may be shared by threads.
 */
final class RowGradients {

  final ModelFunction model;
  final FeatureGroups groups;
  final int width;
  final int outputWidth;
  private final int maxEvaluationRows;
  private final String action;

  /**
   * @param action what the method does, for error messages: "Cannot " + action + ": ..."
   * @throws IllegalArgumentException if the groups do not fit the model or maxEvaluationRows is
   *     not positive
   */
  RowGradients(String action, ModelFunction model, FeatureGroups groups, int maxEvaluationRows) {
    this.action = action;
    this.model = Objects.requireNonNull(model, "model");
    this.groups = Objects.requireNonNull(groups, "groups");
    this.width = model.inputWidth();
    this.outputWidth = model.outputWidth();
    if (groups.columns() != width) {
      throw new IllegalArgumentException("Cannot " + action + ": the feature groups cover " + groups.columns()
          + " columns but the model takes " + width);
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException(
          "Cannot " + action + ": maxEvaluationRows must be at least 1, got " + maxEvaluationRows);
    }
    this.maxEvaluationRows = maxEvaluationRows;
  }

  /**
   * The target's gradient at each row, widened to doubles, and f(x) at the target in {@code
   * outputs}.
   *
   * @param outputs receives f(x) of each row at its target; length at least {@code rows}
   * @return {@code rows x width} gradients, row-major
   */
  double[] gradients(float[] inputs, int rows, int[] targets, double[] outputs) {
    int fullChunk = Batches.evenCallSize(rows, maxEvaluationRows);
    Batches.checkCallSize(action, fullChunk, width);
    double[] gradients = new double[rows * width];
    for (int first = 0; first < rows; first += fullChunk) {
      int chunk = Math.min(fullChunk, rows - first);
      float[] points = chunk == rows ? inputs : Arrays.copyOfRange(inputs, first * width,
          (first + chunk) * width);
      int[] chunkTargets = chunk == rows ? targets : Arrays.copyOfRange(targets, first, first + chunk);
      float[] values = new float[chunk];
      float[] chunkGradients = model.gradient(points, chunk, chunkTargets, values);
      if (chunkGradients.length != chunk * width) {
        throw new IllegalStateException("Cannot " + action + ": the model returned " + chunkGradients.length
            + " gradient values for " + chunk + " rows of " + width);
      }
      for (int i = 0; i < chunk * width; i++) {
        gradients[first * width + i] = chunkGradients[i];
      }
      for (int i = 0; i < chunk; i++) {
        outputs[first + i] = values[i];
      }
    }
    return gradients;
  }
}
