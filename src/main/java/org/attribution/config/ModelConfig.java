package org.attribution.config;

import java.io.Serializable;
import java.util.List;

/**
 * The model to explain.
 *
 * @param path the TorchScript file (any Hadoop file system URI); read once on the driver
 * @param name a name for reports; the file name when absent
 * @param output what to explain: {@code identity} (the raw outputs, e.g. logits),
 *     {@code softmax} or {@code sigmoid} applied to them (probabilities)
 * @param device {@code cpu}, {@code gpu} or {@code auto} (the task's GPU when Spark assigned one)
 * @param inputShape the shape of one row as the model takes it, without the batch dimension
 *     (e.g. {@code [1, 8, 8]} for a one-channel 8 x 8 image); each row's encoded vector is
 *     reshaped to it, row-major; null for a flat row
 */
public record ModelConfig(String path, String name, String output, String device, List<Integer> inputShape)
    implements Serializable {

  public ModelConfig {
    if (name == null && path != null) {
      name = path.replaceAll(".*/", "");
    }
    output = output == null ? Defaults.MODEL_OUTPUT : output;
    device = device == null ? Defaults.DEVICE : device;
    inputShape = inputShape == null ? null : List.copyOf(inputShape);
  }
}
