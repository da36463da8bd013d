package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Kernel SHAP settings.
 *
 * @param budget coalitions evaluated per row; {@code 2 * players + 2048} when absent (the SHAP
 *     library's default), capped at all {@code 2^players - 2} coalitions; with a target error, the
 *     most a row may use
 * @param targetError if set, the estimated relative mean absolute error at which a row stops
 *     sampling (see {@code KernelShap}); absent for the whole budget on every row
 */
public record KernelShapConfig(Integer budget, Double targetError) implements MethodConfig, SampledToTarget {

  public static final String ID = "kernel_shap";

  /** The whole budget on every row, no target error. */
  public KernelShapConfig(Integer budget) {
    this(budget, null);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
