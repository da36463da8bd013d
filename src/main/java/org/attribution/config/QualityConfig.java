package org.attribution.config;

import java.io.Serializable;

/**
 * The quality measures every run takes on a seeded sample of its explained rows.
 *
 * @param enabled whether to measure at all
 * @param rows about how many rows to measure: each explained row is drawn with probability
 *     {@code rows / input rows}, by its seed, so the sample does not depend on partitioning
 * @param maxShare the most of the input to measure: the measures re-explain each measured row
 *     {@code perturbations} times, so on a small input a sample of {@code rows} would cost
 *     several times the run itself
 * @param perturbations seeded perturbations per row, for max-sensitivity and infidelity each
 * @param radius the max-sensitivity perturbation's half-width per column, as a multiple of the
 *     column's standard deviation over the sampled rows
 */
public record QualityConfig(Boolean enabled, Integer rows, Double maxShare, Integer perturbations, Double radius)
    implements Serializable {

  public QualityConfig {
    enabled = enabled == null ? Defaults.QUALITY_ENABLED : enabled;
    rows = rows == null ? Defaults.QUALITY_ROWS : rows;
    maxShare = maxShare == null ? Defaults.QUALITY_MAX_SHARE : maxShare;
    perturbations = perturbations == null ? Defaults.QUALITY_PERTURBATIONS : perturbations;
    radius = radius == null ? Defaults.QUALITY_RADIUS : radius;
  }

  /** The share of the input to draw: {@code rows} of them, but never more than {@code maxShare}. */
  public double share(long inputRows) {
    return Math.min(maxShare, Math.min(1.0, (double) rows / inputRows));
  }
}
