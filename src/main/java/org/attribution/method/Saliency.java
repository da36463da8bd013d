package org.attribution.method;

import org.attribution.model.ModelFunction;

/**
 * Saliency (Simonyan, Vedaldi and Zisserman, 2014; Captum's {@code Saliency}): the attribution of
 * input column i is {@code |dF/dx_i (x)|}, or the signed gradient when {@code absolute} is false,
 * where F is the target output; a player's value is the sum over its columns (the sum of the
 * columns' absolute values for a one-hot feature, so a feature's sensitivity is never cancelled
 * by its own columns).
 *
 * <p>Saliency is a local sensitivity, not a decomposition of the output: it compares the row with
 * nothing. Its reference is therefore f(x) itself, and {@link Attributions#gap} is simply the sum
 * of a row's attributions; completeness is not expected of it.
 *
 * <p>Cost per row: one gradient evaluation (f(x) comes with it). Rows are packed into gradient
 * calls of at most {@code maxEvaluationRows} rows. Immutable; may be shared by threads.
 */
public final class Saliency implements AttributionMethod {

  private final RowGradients gradients;
  private final boolean absolute;

  /**
   * @param model the model to explain
   * @param absolute report the gradient's absolute value rather than its sign
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @param groups how input columns are summed into reported players
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public Saliency(ModelFunction model, boolean absolute, int maxEvaluationRows, FeatureGroups groups) {
    this.gradients = new RowGradients("compute saliency", model, groups, maxEvaluationRows);
    this.absolute = absolute;
  }

  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    Batches.check(gradients.width, gradients.outputWidth, inputs, rows, targets, rowSeeds);
    double[] outputs = new double[rows];
    double[] perColumn = gradients.gradients(inputs, rows, targets, outputs);
    if (absolute) {
      for (int i = 0; i < perColumn.length; i++) {
        perColumn[i] = Math.abs(perColumn[i]);
      }
    }
    return new Attributions(
        rows, gradients.groups.players(), gradients.groups.sumByPlayer(perColumn, rows), outputs, outputs.clone());
  }
}
