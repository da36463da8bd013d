package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Saliency settings.
 *
 * @param absolute report |dF/dx| (true) or the signed gradient (false)
 */
public record SaliencyConfig(Boolean absolute) implements MethodConfig {

  public static final String ID = "saliency";

  public SaliencyConfig {
    absolute = absolute == null ? Defaults.SALIENCY_ABSOLUTE : absolute;
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
