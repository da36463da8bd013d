package org.attribution.config;

import java.io.Serializable;
import java.util.List;

/**
 * Which model output is explained for each row.
 *
 * @param mode {@code predicted} (the row's highest output), {@code class} (a fixed
 *     {@code classIndex}) or {@code all} (every output, one result row each)
 * @param classIndex the output index for mode {@code class}
 * @param classNames optional labels of the outputs, used in the output tables
 * @param labelColumn the input column holding each row's true label (a class index, 0/1, or a
 *     number for a regression), for methods that measure the model's quality: permutation
 *     importance
 */
public record TargetConfig(String mode, Integer classIndex, List<String> classNames, String labelColumn)
    implements Serializable {

  public TargetConfig {
    mode = mode == null ? Defaults.TARGET_MODE : mode;
    classNames = classNames == null ? List.of() : List.copyOf(classNames);
  }

  /** The label of output {@code index}: its class name when given, else the index. */
  public String nameOf(int index) {
    return index < classNames.size() ? classNames.get(index) : Integer.toString(index);
  }
}
