package org.attribution.quality;

import java.io.Serializable;

/**
 * One quality measure of one target over the rows it was measured on.
 *
 * @param measure its name, e.g. {@code deletion_aopc}
 * @param value the mean over the rows
 * @param standardError the standard error of that mean; NaN with fewer than two rows or when not
 *     estimated
 * @param rows the rows the mean is over
 */
public record QualityMeasure(String measure, double value, double standardError, long rows) implements Serializable {

  /** Area between the random-order and the ranked deletion curves. */
  public static final String DELETION = "deletion_aopc";
  /** Area between the ranked and the random-order insertion curves. */
  public static final String INSERTION = "insertion_aopc";
  /** Largest relative change of the attributions under small perturbations. */
  public static final String SENSITIVITY = "max_sensitivity";
  /** Mean squared error of the attributions' prediction of output changes under random removal. */
  public static final String INFIDELITY = "infidelity";
  /** Mean |completeness gap| over every explained row. */
  public static final String COMPLETENESS = "completeness_gap";

  /** The mean and standard error of {@code values}, leaving out NaN. */
  public static QualityMeasure of(String measure, double[] values) {
    double[] kept = java.util.Arrays.stream(values).filter(v -> !Double.isNaN(v)).toArray();
    int n = kept.length;
    double mean = n == 0 ? Double.NaN : java.util.Arrays.stream(kept).sum() / n;
    double squares = 0;
    for (double v : kept) {
      squares += (v - mean) * (v - mean);
    }
    return new QualityMeasure(measure, mean, n < 2 ? Double.NaN : Math.sqrt(squares / (n - 1) / n), n);
  }
}
