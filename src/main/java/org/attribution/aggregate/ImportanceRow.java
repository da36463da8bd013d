package org.attribution.aggregate;

/**
 * One row of the global importance table: a feature's importance for one target in one segment.
 *
 * @param segmentColumn the column the segment is defined by; null for the overall rows
 * @param segmentValue the segment's value of that column (the string form; "null" for nulls);
 *     null for the overall rows
 * @param target the explained output
 * @param targetName its label
 * @param feature the feature
 * @param rows rows in the segment
 * @param meanAbsAttribution mean |attribution|: the importance measure
 * @param meanAttribution mean signed attribution
 * @param stdAttribution sample standard deviation of the attribution (NaN for one row)
 * @param standardError standard error of {@code meanAbsAttribution}: sd(|a|) / sqrt(rows)
 * @param ciLow lower end of the 95% confidence interval of {@code meanAbsAttribution}, as {@link
 *     ConfidenceInterval#ofNonNegativeMean} computes it: never below 0; NaN for one row
 * @param ciHigh upper end of that interval
 * @param importanceShare {@code meanAbsAttribution} over the sum of it across features in the
 *     same segment and target
 * @param positiveShare share of rows whose attribution is above 0
 * @param rank 1 for the most important feature in the segment and target; null when the segment
 *     has fewer rows than the configured minimum
 * @param lowCount whether the segment has fewer rows than the configured minimum
 */
public record ImportanceRow(
    String segmentColumn,
    String segmentValue,
    int target,
    String targetName,
    String feature,
    long rows,
    double meanAbsAttribution,
    double meanAttribution,
    double stdAttribution,
    double standardError,
    double ciLow,
    double ciHigh,
    double importanceShare,
    double positiveShare,
    Integer rank,
    boolean lowCount) {

  /** Whether this is an overall row rather than a segment's. */
  public boolean overall() {
    return segmentColumn == null;
  }
}
