package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Permutation importance settings: a global method, the drop in a metric of the model's quality
 * on labelled data when one player's values are permuted across the dataset.
 *
 * @param metric {@code log_loss}, {@code accuracy}, {@code roc_auc} or {@code mse}; required,
 *     because which one fits depends on the model and the labels
 * @param repeats how many permutations per player; the confidence interval comes from their spread
 */
public record PermutationImportanceConfig(String metric, Integer repeats) implements MethodConfig {

  public static final String ID = "permutation_importance";

  public PermutationImportanceConfig {
    repeats = repeats == null ? Defaults.PERMUTATION_REPEATS : repeats;
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }

  @JsonIgnore
  @Override
  public boolean global() {
    return true;
  }
}
