package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Exact Shapley: every coalition enumerated.
 *
 * @param maxPlayers the most players whose cost (2^players - 2 coalitions per row) the user
 *     accepts; {@link Defaults#EXACT_SHAPLEY_MAX_PLAYERS} when absent, at most 20
 */
public record ExactShapleyConfig(Integer maxPlayers) implements MethodConfig {

  public static final String ID = "exact_shapley";

  public ExactShapleyConfig {
    maxPlayers = maxPlayers == null ? Defaults.EXACT_SHAPLEY_MAX_PLAYERS : maxPlayers;
  }

  /** The default settings. */
  public ExactShapleyConfig() {
    this(null);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
