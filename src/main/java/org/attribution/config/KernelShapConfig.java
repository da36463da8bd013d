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
 * @param adjustmentTrees boosted trees per fold of the tree adjustment of the sampling error
 *     (see {@code KernelShap}); 0, the default, for none
 */
public record KernelShapConfig(Integer budget, Double targetError, Integer adjustmentTrees)
    implements MethodConfig, SampledToTarget {

  public static final String ID = "kernel_shap";

  /** The most adjustment trees accepted: past a few hundred the error stops falling. */
  public static final int MAX_ADJUSTMENT_TREES = 1000;

  public KernelShapConfig {
    adjustmentTrees = adjustmentTrees == null ? 0 : adjustmentTrees;
  }

  /** The whole budget on every row, no target error, no adjustment. */
  public KernelShapConfig(Integer budget) {
    this(budget, null, null);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
