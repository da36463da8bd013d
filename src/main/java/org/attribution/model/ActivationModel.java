package org.attribution.model;

import java.util.List;

/**
 * A convolutional model split at its last convolution, for Grad-CAM: the activations {@code A}
 * of a batch, and the gradient of a chosen output with respect to them. Like {@link
 * ModelFunction}, batches travel as row-major {@code float[]} arrays and no engine type leaves
 * an implementation.
 */
public interface ActivationModel {

  /** The shape of one input row as the model takes it, without the batch dimension. */
  List<Integer> inputShape();

  /** The shape of one row's activations: {@code [channels, height, width]}. */
  List<Integer> activationShape();

  /**
   * The activations of {@code rows} rows.
   *
   * @param inputs {@code rows x inputWidth} values, row-major
   * @return {@code rows x channels x height x width} values, row-major
   */
  float[] activations(float[] inputs, int rows);

  /**
   * The gradient of output {@code targets[r]} of row r, through the model's output transform,
   * with respect to that row's activations.
   *
   * @param activations {@code rows x channels x height x width} values, as {@link #activations} gives
   * @param targets for each row, the output to differentiate
   * @param targetOutputs if not null, receives the value of output {@code targets[r]} of row
   *     {@code r} (length at least {@code rows}); it comes free with the gradient
   * @return values shaped as {@code activations}
   */
  float[] activationGradient(float[] activations, int rows, int[] targets, float[] targetOutputs);
}
