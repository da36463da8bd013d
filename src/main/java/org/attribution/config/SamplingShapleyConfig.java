package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Sampling Shapley settings.
 *
 * @param permutations permutations per row, an even number: each drawn one is used with its
 *     reverse; with a target error, the most a row may use
 * @param targetError if set, the estimated relative mean absolute error at which a row stops
 *     sampling (see {@code SamplingShapley}); absent for a fixed number of permutations
 */
public record SamplingShapleyConfig(Integer permutations, Double targetError) implements MethodConfig, SampledToTarget {

  public static final String ID = "sampling_shapley";

  public SamplingShapleyConfig {
    permutations = permutations == null ? Defaults.SAMPLING_SHAPLEY_PERMUTATIONS : permutations;
  }

  /** A fixed number of permutations, no target error. */
  public SamplingShapleyConfig(Integer permutations) {
    this(permutations, null);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
