package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Kernel SHAP settings.
 *
 * @param budget coalitions evaluated per row; {@code 2 * players + 2048} when absent (the SHAP
 *     library's default), capped at all {@code 2^players - 2} coalitions
 */
public record KernelShapConfig(Integer budget) implements MethodConfig {

  public static final String ID = "kernel_shap";

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
