package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Input x gradient settings.
 *
 * @param baseline {@code zeros}, {@code mean} or {@code vector}, as for Integrated Gradients
 * @param baselineValues the baseline for {@code vector}, one value per encoded input column
 */
public record InputXGradientConfig(String baseline, List<Double> baselineValues)
    implements MethodConfig, BaselineChoice {

  public static final String ID = "input_x_gradient";

  public InputXGradientConfig {
    baseline = baseline == null ? Defaults.IG_BASELINE : baseline;
    baselineValues = baselineValues == null ? List.of() : List.copyOf(baselineValues);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
