package org.attribution.testing;

import org.attribution.model.ModelFunction;

/**
 * A model's widths and forward pass with gradients from elsewhere: a wrong gradient for a check to
 * catch, or another gradient call (Grad-CAM's activation gradients) measured as if the model's.
 */
public final class OtherGradient implements ModelFunction {

  /** The gradient calls that stand in for the model's, with {@link ModelFunction#gradient}'s contract. */
  @FunctionalInterface
  public interface Gradient {
    float[] of(float[] inputs, int rows, int[] targets, float[] targetOutputs);
  }

  private final ModelFunction model;
  private final Gradient gradient;

  public OtherGradient(ModelFunction model, Gradient gradient) {
    this.model = model;
    this.gradient = gradient;
  }

  @Override
  public int inputWidth() {
    return model.inputWidth();
  }

  @Override
  public int outputWidth() {
    return model.outputWidth();
  }

  @Override
  public float[] forward(float[] inputs, int rows) {
    return model.forward(inputs, rows);
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    return gradient.of(inputs, rows, targets, targetOutputs);
  }
}
