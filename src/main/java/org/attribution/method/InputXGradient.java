package org.attribution.method;

import org.attribution.model.ModelFunction;

/**
 * Input x gradient (Shrikumar, Greenside and Kundaje, 2016; Captum's {@code InputXGradient}),
 * relative to a baseline: the attribution of input column i is {@code (x_i - x'_i) dF/dx_i (x)},
 * summed over each player's columns. With a zero baseline it is Captum's method; for a linear
 * model it equals Integrated Gradients from the same baseline.
 *
 * <p>Outputs are f(x) and references f(baseline). The attributions add up to {@code f(x) -
 * f(baseline)} only for models that are linear between the two (it is the first-order Taylor
 * term), so {@link Attributions#gap} measures the model's curvature, not an error of the method:
 * completeness is not expected of it.
 *
 * <p>Cost per row: one gradient evaluation (f(x) comes with it), plus one forward pass of the
 * baseline per batch. Immutable; may be shared by threads.
 */
public final class InputXGradient implements AttributionMethod {

  private final RowGradients gradients;
  private final float[] baseline;

  /**
   * @param model the model to explain
   * @param baseline the point the row is compared with, one value per input column
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @param groups how input columns are summed into reported players
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public InputXGradient(ModelFunction model, float[] baseline, int maxEvaluationRows, FeatureGroups groups) {
    this.gradients = new RowGradients("compute input x gradient", model, groups, maxEvaluationRows);
    if (baseline.length != gradients.width) {
      throw new IllegalArgumentException("Cannot compute input x gradient: the baseline has " + baseline.length
          + " columns but the model takes " + gradients.width);
    }
    for (int c = 0; c < baseline.length; c++) {
      if (!Float.isFinite(baseline[c])) {
        throw new IllegalArgumentException(
            "Cannot compute input x gradient: baseline column " + c + " is " + baseline[c]);
      }
    }
    this.baseline = baseline.clone();
  }

  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    int width = gradients.width;
    Batches.check(width, gradients.outputWidth, inputs, rows, targets, rowSeeds);
    double[] outputs = new double[rows];
    double[] perColumn = gradients.gradients(inputs, rows, targets, outputs);
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        perColumn[r * width + c] *= (double) inputs[r * width + c] - baseline[c];
      }
    }
    float[] atBaseline = gradients.model.forward(baseline, 1);
    if (atBaseline.length != gradients.outputWidth) {
      throw new IllegalStateException("Cannot compute input x gradient: the model returned " + atBaseline.length
          + " outputs for 1 row of " + gradients.outputWidth);
    }
    double[] references = new double[rows];
    for (int r = 0; r < rows; r++) {
      references[r] = atBaseline[targets[r]];
    }
    return new Attributions(rows, gradients.groups.players(), gradients.groups.sumByPlayer(perColumn, rows),
        outputs, references);
  }
}
