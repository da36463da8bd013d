package org.attribution.aggregate;

/**
 * Mergeable completeness statistics of a group of rows.
 *
 * @param rows rows in the group
 * @param meanAbsGap mean |completeness gap|
 * @param maxAbsGap largest |completeness gap|
 * @param meanAbsDelta mean |f(x) - reference|, the scale the gap compares with
 * @param nonFinite rows left out of every statistic because the model gave them a NaN or infinite
 *     output (or attribution)
 */
public record QualityStats(long rows, double meanAbsGap, double maxAbsGap, double meanAbsDelta, long nonFinite) {

  /** No rows. */
  public static final QualityStats EMPTY = new QualityStats(0, 0, 0, 0, 0);

  /** The statistics of both groups together. */
  public QualityStats merge(QualityStats other) {
    long n = rows + other.rows;
    if (n == 0) {
      return new QualityStats(0, 0, 0, 0, nonFinite + other.nonFinite);
    }
    double a = (double) rows / n;
    double b = (double) other.rows / n;
    return new QualityStats(n, a * meanAbsGap + b * other.meanAbsGap, Math.max(maxAbsGap, other.maxAbsGap),
        a * meanAbsDelta + b * other.meanAbsDelta, nonFinite + other.nonFinite);
  }
}
