package org.attribution.model;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What the explained outputs are: the model's raw outputs, or a squashing of them.
 *
 * <p>The transform runs inside the engine's graph, so gradients flow through it: explaining
 * {@link #SOFTMAX} class probabilities gives attributions of probabilities, not of logits.
 */
public enum OutputTransform {

  /** The raw outputs (logits for a classifier). */
  IDENTITY("identity") {
    @Override
    NDArray apply(NDArray outputs) {
      return outputs;
    }
  },

  /** Softmax over the outputs of a row: class probabilities from logits. */
  SOFTMAX("softmax") {
    @Override
    NDArray apply(NDArray outputs) {
      return outputs.softmax(1);
    }
  },

  /** Logistic sigmoid of every output on its own: probabilities of independent labels. */
  SIGMOID("sigmoid") {
    @Override
    NDArray apply(NDArray outputs) {
      return Activation.sigmoid(outputs);
    }
  };

  private final String id;

  OutputTransform(String id) {
    this.id = id;
  }

  /** Stable id used in configuration and output metadata. */
  public String id() {
    return id;
  }

  /**
   * The transform with the given {@link #id()}.
   *
   * @throws IllegalArgumentException if no transform has that id
   */
  public static OutputTransform fromId(String id) {
    for (OutputTransform transform : values()) {
      if (transform.id.equals(id)) {
        return transform;
      }
    }
    throw new IllegalArgumentException(
        "Cannot parse output transform '" + id + "': expected one of "
            + Arrays.stream(values()).map(OutputTransform::id).collect(Collectors.joining(", ")));
  }

  /** Applies the transform to a {@code rows x outputs} array, recording it for backward. */
  abstract NDArray apply(NDArray outputs);
}
