package org.attribution.job;

import java.io.Serializable;
import org.attribution.config.InvalidJobException;
import org.attribution.model.InputShape;

/**
 * What an executor needs to load the model the same way the driver checked it.
 *
 * @param name the model's name, for messages
 * @param sha256 SHA-256 of the model bytes: the cache key, with device and output
 * @param output the output transform id
 * @param device the device choice id
 * @param inputWidth the encoded input width
 * @param threadsPerTask libtorch intra-op threads per task
 * @param inputShape the shape the model takes each row in; its values number {@code inputWidth}
 */
record ModelSpec(String name, String sha256, String output, String device, int inputWidth, int threadsPerTask,
    InputShape inputShape) implements Serializable {

  /** A model taking flat rows. */
  ModelSpec(String name, String sha256, String output, String device, int inputWidth, int threadsPerTask) {
    this(name, sha256, output, device, inputWidth, threadsPerTask, InputShape.flat(inputWidth));
  }

  ModelSpec {
    if (inputShape.width() != inputWidth) {
      throw new InvalidJobException("Cannot reshape rows to model.input_shape " + inputShape + ": it holds "
          + inputShape.width() + " values, and the features encode to " + inputWidth);
    }
  }
}
