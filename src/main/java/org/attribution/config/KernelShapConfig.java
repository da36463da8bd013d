package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Kernel SHAP settings.
 *
 * @param budget coalitions evaluated per row; {@code 2 * players + 2048} when absent (the SHAP
 *     library's default), capped at all {@code 2^players - 2} coalitions; with a target error, the
 *     most a row may use
 * @param targetError if set, the estimated relative mean absolute error at which a row stops
 *     sampling (see {@code KernelShap}); absent for the whole budget on every row
 * @param adjustment the surrogate game that corrects the sampling error (see {@code
 *     KernelShapAdjustment}): {@code cubic}, the default, {@code trees}, the default when {@code
 *     adjustmentTrees} is set, or {@code none}
 * @param adjustmentTrees boosted trees per fold of the tree adjustment, {@link
 *     Defaults#KERNEL_SHAP_ADJUSTMENT_TREES} when absent; only with {@code adjustment: trees}
 */
public record KernelShapConfig(Integer budget, Double targetError, String adjustment, Integer adjustmentTrees)
    implements MethodConfig, SampledToTarget {

  public static final String ID = "kernel_shap";

  /** The adjustments a job file may name. */
  public static final List<String> ADJUSTMENTS = List.of("cubic", "trees", "none");

  /** The most adjustment trees accepted: past a few hundred the error stops falling. */
  public static final int MAX_ADJUSTMENT_TREES = 1000;

  public KernelShapConfig {
    if (adjustment == null) {
      adjustment = adjustmentTrees != null ? "trees" : Defaults.KERNEL_SHAP_ADJUSTMENT;
    }
    if (adjustmentTrees == null && adjustment.equals("trees")) {
      adjustmentTrees = Defaults.KERNEL_SHAP_ADJUSTMENT_TREES;
    }
  }

  /** The whole budget on every row, no target error, the default adjustment. */
  public KernelShapConfig(Integer budget) {
    this(budget, null, null, null);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
