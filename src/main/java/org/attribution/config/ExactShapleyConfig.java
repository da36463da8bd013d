package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** Exact Shapley: every coalition enumerated; it has no settings. */
public record ExactShapleyConfig() implements MethodConfig {

  public static final String ID = "exact_shapley";

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
