package org.attribution.aggregate;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * A 95% confidence interval; both ends NaN where it is undefined.
 *
 * @param low lower end
 * @param high upper end
 */
public record ConfidenceInterval(double low, double high) {

  /** Both ends undefined: written as nulls, like every undefined statistic. */
  public static final ConfidenceInterval UNDEFINED = new ConfidenceInterval(Double.NaN, Double.NaN);

  /** The solver's default accuracy (1e-9) would leave the quantile's last digits to the solver. */
  private static final double QUANTILE_ACCURACY = 1e-14;

  /**
   * The 95% interval of the mean of a non-negative quantity, such as |attribution|, from its
   * count, mean and standard error alone: {@code mean × exp(∓ t · se / mean)}, with t the 97.5%
   * quantile of Student's t for {@code count - 1} degrees of freedom.
   *
   * <p>It is the delta-method interval of {@code log(mean)}, taken back to the original scale. A
   * mean of non-negative values is right-skewed, and more so in small segments: the symmetric
   * {@code mean ± 1.96 se} reached below 0 there, a value a mean of |a| cannot take once any row is
   * above 0, and missed mostly on the high side. This one stays above 0, is wider above the mean
   * than below, and follows the normal interval when {@code se} is small against the mean; t
   * instead of 1.96 widens it for few rows. In simulations of 11 rows (|a| folded-normal, uniform,
   * exponential, log-normal and 70% zeros) it covered the true mean in 89% to 95% of samples,
   * where the normal interval covered 77% to 92%.
   *
   * @param values moments of the non-negative values
   * @return undefined for fewer than two values; [0, 0] when every value is 0
   */
  public static ConfidenceInterval ofNonNegativeMean(Moments values) {
    if (values.count() < 2) {
      return UNDEFINED;
    }
    double mean = values.mean();
    if (mean == 0) {
      return new ConfidenceInterval(0, 0);
    }
    double t = new TDistribution(null, values.count() - 1, QUANTILE_ACCURACY).inverseCumulativeProbability(0.975);
    double factor = Math.exp(t * values.standardError() / mean);
    return new ConfidenceInterval(mean / factor, mean * factor);
  }
}
