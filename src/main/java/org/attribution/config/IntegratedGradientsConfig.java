package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Integrated Gradients settings.
 *
 * @param steps evaluation points along the path
 * @param rule the quadrature rule: riemann_left, riemann_right, riemann_middle, trapezoid,
 *     gauss_legendre
 * @param baseline {@code zeros}, {@code mean} (feature means computed from the data) or
 *     {@code vector} (the encoded vector in {@code baselineValues})
 * @param baselineValues the baseline for {@code vector}, one value per encoded input column
 */
public record IntegratedGradientsConfig(Integer steps, String rule, String baseline, List<Double> baselineValues)
    implements MethodConfig, BaselineChoice {

  public static final String ID = "integrated_gradients";

  public IntegratedGradientsConfig {
    steps = steps == null ? Defaults.IG_STEPS : steps;
    rule = rule == null ? Defaults.IG_RULE : rule;
    baseline = baseline == null ? Defaults.IG_BASELINE : baseline;
    baselineValues = baselineValues == null ? List.of() : List.copyOf(baselineValues);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
