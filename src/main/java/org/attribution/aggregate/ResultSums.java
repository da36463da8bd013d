package org.attribution.aggregate;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Running statistics of one group of per-row results, as sums that give the same answer however
 * the rows are split and merged.
 *
 * <p>The global tables need, per feature, the mean and variance of the attribution and of its
 * absolute value and the share of positive attributions, plus the completeness statistics. All of
 * them follow from counts, a maximum and four kinds of sum (Σ|gap|, Σ|f(x) − reference|, Σa, Σ|a|,
 * and Σa², which serves both variances since |a|² = a²), held in {@link CompensatedSums}. Means and
 * variances are taken from the sums once, in decimal arithmetic, so {@code Σa² − (Σa)²/n} keeps its
 * precision even for values far from zero. Spark's own aggregates would merge partitions' moments
 * in whatever order tasks finish, and differ in the last bits from run to run.
 *
 * <p>A row whose prediction or completeness gap is NaN or infinite (a model can return those) is
 * only counted, so it cannot turn an audit into NaN; a non-finite attribution makes the gap
 * non-finite too.
 */
public final class ResultSums implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final MathContext DIVISION = new MathContext(40);
  private static final int ABS_GAP = 0;
  private static final int ABS_DELTA = 1;
  private static final int FIXED = 2;

  private final int features;
  /** Σ|gap|, Σ|f(x) − reference|, then Σa, Σ|a| and Σa² for each feature in turn. */
  private final CompensatedSums sums;
  private final long[] positive;
  private long rows;
  private long nonFinite;
  private double maxAbsGap;

  /** No rows yet, for results of {@code features} features. */
  public ResultSums(int features) {
    this.features = features;
    this.sums = new CompensatedSums(FIXED + 3 * features);
    this.positive = new long[features];
  }

  /**
   * Adds one result row.
   *
   * @param prediction f(x) at the row's target
   * @param reference what completeness compares with: f(baseline), or the base value
   * @param gap the completeness gap
   * @param attributions the row's attributions, {@code features} values from {@code offset}
   */
  public void add(double prediction, double reference, double gap, double[] attributions, int offset) {
    if (!Double.isFinite(prediction) || !Double.isFinite(gap)) {
      nonFinite++;
      return;
    }
    rows++;
    double absGap = Math.abs(gap);
    sums.add(ABS_GAP, absGap);
    sums.add(ABS_DELTA, Math.abs(prediction - reference));
    maxAbsGap = Math.max(maxAbsGap, absGap);
    for (int f = 0; f < features; f++) {
      double value = attributions[offset + f];
      int at = FIXED + 3 * f;
      sums.add(at, value);
      sums.add(at + 1, Math.abs(value));
      sums.addProduct(at + 2, value, value);
      if (value > 0) {
        positive[f]++;
      }
    }
  }

  /** Adds the other's rows into this one and returns this. */
  public ResultSums merge(ResultSums other) {
    if (other.features != features) {
      throw new IllegalArgumentException(
          "Cannot merge statistics of " + other.features + " features into " + features);
    }
    sums.addAll(other.sums);
    for (int f = 0; f < features; f++) {
      positive[f] += other.positive[f];
    }
    rows += other.rows;
    nonFinite += other.nonFinite;
    maxAbsGap = Math.max(maxAbsGap, other.maxAbsGap);
    return this;
  }

  /** Features the statistics are kept for. */
  public int features() {
    return features;
  }

  /** Rows with finite results, which every statistic is over. */
  public long rows() {
    return rows;
  }

  /** Completeness statistics of the rows. */
  public QualityStats quality() {
    return new QualityStats(rows, mean(ABS_GAP), maxAbsGap, mean(ABS_DELTA), nonFinite);
  }

  /** Statistics of feature {@code f}'s attributions. */
  public FeatureStats feature(int f) {
    int at = FIXED + 3 * f;
    return new FeatureStats(moments(at, at + 2), moments(at + 1, at + 2), positive[f]);
  }

  private double mean(int sum) {
    return rows == 0 ? 0 : sums.rounded(sum) / rows;
  }

  /** Count, mean and sum of squared deviations, from Σx and Σx². */
  private Moments moments(int sum, int sumOfSquares) {
    if (rows == 0) {
      return Moments.EMPTY;
    }
    double roundedSquares = sums.rounded(sumOfSquares);
    if (!Double.isFinite(roundedSquares)) {
      // Attributions near the double range's end: the sums overflowed, and say so.
      return new Moments(rows, sums.rounded(sum) / rows, roundedSquares);
    }
    BigDecimal n = BigDecimal.valueOf(rows);
    BigDecimal total = sums.exact(sum);
    BigDecimal m2 = sums.exact(sumOfSquares).subtract(total.multiply(total).divide(n, DIVISION));
    return new Moments(rows, total.divide(n, DIVISION).doubleValue(), Math.max(0, m2.doubleValue()));
  }
}
