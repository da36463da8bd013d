package org.attribution.method;

/**
 * Running means of many cells at once, with the standard error of each mean, for estimators that
 * average independent samples.
 *
 * <p>Uses Welford's update, which stays accurate when the spread is small next to the mean (a
 * sampled Shapley value whose estimates barely vary), where summing squares would cancel. Each
 * cell's samples are folded in the order given, so the result depends only on that order.
 */
final class SampleMeans {

  private final double[] means;
  private final double[] squaredDeviations;
  private final int[] counts;

  /** {@code cells} cells, each with no sample yet. */
  SampleMeans(int cells) {
    means = new double[cells];
    squaredDeviations = new double[cells];
    counts = new int[cells];
  }

  /** Folds one sample into a cell. */
  void add(int cell, double sample) {
    int n = ++counts[cell];
    double delta = sample - means[cell];
    means[cell] += delta / n;
    squaredDeviations[cell] += delta * (sample - means[cell]);
  }

  /** The mean of each cell. */
  double[] means() {
    return means.clone();
  }

  /**
   * The standard error of each cell's mean: the sample standard deviation (n - 1 in the
   * denominator) over sqrt(n); NaN for a cell with fewer than two samples, whose spread is
   * unknown.
   */
  double[] standardErrors() {
    double[] errors = new double[means.length];
    for (int cell = 0; cell < errors.length; cell++) {
      errors[cell] = standardError(cell);
    }
    return errors;
  }

  /** The mean of one cell. */
  double mean(int cell) {
    return means[cell];
  }

  /** The standard error of one cell's mean; NaN below two samples. */
  double standardError(int cell) {
    int n = counts[cell];
    return n < 2 ? Double.NaN : Math.sqrt(squaredDeviations[cell] / (n - 1) / n);
  }
}
