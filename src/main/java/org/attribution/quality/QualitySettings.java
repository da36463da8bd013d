package org.attribution.quality;

import java.io.Serializable;

/**
 * How a row's explanation is measured.
 *
 * @param perturbations seeded perturbations per row, for max-sensitivity and for infidelity each
 * @param radius the half-width of a max-sensitivity perturbation of a column, as a multiple of
 *     that column's spread (standard deviation)
 * @param curveSteps the most points a deletion or insertion curve has after its start: with more
 *     players than this, players are removed a few at a time
 */
public record QualitySettings(int perturbations, double radius, int curveSteps) implements Serializable {

  public QualitySettings {
    if (perturbations < 1 || !(radius >= 0) || Double.isInfinite(radius) || curveSteps < 1) {
      throw new IllegalArgumentException("Cannot measure quality: need at least 1 perturbation and curve step and a"
          + " finite radius of 0 or more, got " + perturbations + ", " + curveSteps + " and " + radius);
    }
  }
}
