package org.attribution.aggregate;

/**
 * Count, mean and sum of squared deviations of a sample.
 *
 * @param count number of values
 * @param mean their mean (0 when empty)
 * @param m2 sum of squared deviations from the mean
 */
public record Moments(long count, double mean, double m2) {

  /** No values. */
  public static final Moments EMPTY = new Moments(0, 0, 0);

  /** Sample standard deviation; NaN for fewer than two values. */
  public double sampleStd() {
    return count < 2 ? Double.NaN : Math.sqrt(Math.max(0, m2) / (count - 1));
  }

  /** Standard error of the mean; NaN for fewer than two values. */
  public double standardError() {
    return sampleStd() / Math.sqrt(count);
  }
}
