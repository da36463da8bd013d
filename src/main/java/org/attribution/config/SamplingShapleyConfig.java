package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Sampling Shapley settings.
 *
 * @param permutations permutations per row, an even number: each drawn one is used with its
 *     reverse
 */
public record SamplingShapleyConfig(Integer permutations) implements MethodConfig {

  public static final String ID = "sampling_shapley";

  public SamplingShapleyConfig {
    permutations = permutations == null ? Defaults.SAMPLING_SHAPLEY_PERMUTATIONS : permutations;
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
