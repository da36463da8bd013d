package org.attribution.config;

import java.io.Serializable;

/**
 * The model to explain.
 *
 * @param path the TorchScript file (any Hadoop file system URI); read once on the driver
 * @param name a name for reports; the file name when absent
 * @param output what to explain: {@code identity} (the raw outputs, e.g. logits),
 *     {@code softmax} or {@code sigmoid} applied to them (probabilities)
 * @param device {@code cpu}, {@code gpu} or {@code auto} (the task's GPU when Spark assigned one)
 */
public record ModelConfig(String path, String name, String output, String device) implements Serializable {

  public ModelConfig {
    if (name == null && path != null) {
      name = path.replaceAll(".*/", "");
    }
    output = output == null ? Defaults.MODEL_OUTPUT : output;
    device = device == null ? Defaults.DEVICE : device;
  }
}
