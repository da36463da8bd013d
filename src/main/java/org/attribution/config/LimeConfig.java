package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * Tabular LIME settings.
 *
 * @param samples perturbed copies of each row the surrogate is fitted to, the row itself included
 * @param kernelWidth width of the exponential kernel on the distance between a copy's coalition
 *     and the row's; null for {@link Defaults#LIME_KERNEL_WIDTH_FACTOR} times the square root of
 *     the number of players, as the lime library chooses
 * @param alpha the ridge penalty of the surrogate's coefficients
 */
public record LimeConfig(Integer samples, Double kernelWidth, Double alpha) implements MethodConfig {

  public static final String ID = "lime";

  public LimeConfig {
    samples = samples == null ? Defaults.LIME_SAMPLES : samples;
    alpha = alpha == null ? Defaults.LIME_ALPHA : alpha;
  }

  /** The kernel width for {@code players} players: the configured one, or the default. */
  public double kernelWidthFor(int players) {
    return kernelWidth != null ? kernelWidth : Defaults.LIME_KERNEL_WIDTH_FACTOR * Math.sqrt(players);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
