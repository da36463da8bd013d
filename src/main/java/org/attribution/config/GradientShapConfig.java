package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Gradient SHAP (expected gradients) settings.
 *
 * @param samples (background row, path point) samples per row
 * @param noiseStd standard deviation of Gaussian noise added to the encoded input per sample
 */
public record GradientShapConfig(Integer samples, Double noiseStd) implements MethodConfig {

  public static final String ID = "gradient_shap";

  public GradientShapConfig {
    samples = samples == null ? Defaults.GRADIENT_SHAP_SAMPLES : samples;
    noiseStd = noiseStd == null ? 0.0 : noiseStd;
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
