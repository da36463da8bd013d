package org.attribution.aggregate;

/**
 * Count, mean and sum of squared deviations of a sample: the statistics that merge exactly.
 *
 * <p>Merging uses Chan, Golub and LeVeque's pairwise update, which never subtracts two large sums
 * of squares, so precision does not degrade as runs grow; merging partial moments in any order
 * gives the same result up to rounding. A mean of |x| is itself a mean, so the same type serves
 * both the signed and absolute attribution.
 *
 * @param count number of values
 * @param mean their mean (0 when empty)
 * @param m2 sum of squared deviations from the mean
 */
public record Moments(long count, double mean, double m2) {

  /** No values. */
  public static final Moments EMPTY = new Moments(0, 0, 0);

  /** Moments from a count, mean and population variance, as Spark's var_pop reports them. */
  public static Moments fromPopulationVariance(long count, double mean, double populationVariance) {
    return count == 0 ? EMPTY : new Moments(count, mean, populationVariance * count);
  }

  /** The moments of both samples together. */
  public Moments merge(Moments other) {
    if (other.count == 0) {
      return this;
    }
    if (count == 0) {
      return other;
    }
    long n = count + other.count;
    double delta = other.mean - mean;
    double mergedMean = mean + delta * other.count / n;
    double mergedM2 = m2 + other.m2 + delta * delta * ((double) count * other.count / n);
    return new Moments(n, mergedMean, mergedM2);
  }

  /** Sample standard deviation; NaN for fewer than two values. */
  public double sampleStd() {
    return count < 2 ? Double.NaN : Math.sqrt(Math.max(0, m2) / (count - 1));
  }

  /** Standard error of the mean; NaN for fewer than two values. */
  public double standardError() {
    return sampleStd() / Math.sqrt(count);
  }
}
