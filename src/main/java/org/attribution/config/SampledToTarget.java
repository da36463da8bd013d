package org.attribution.config;

/**
 * Settings of a method that can sample each row until its estimated error meets a target
 * ({@code method.target_error}): Kernel SHAP and sampling Shapley. Its count setting (budget,
 * permutations) is then the cap.
 */
public interface SampledToTarget {

  /** The relative error at which a row stops sampling; null for a fixed cost per row. */
  Double targetError();
}
