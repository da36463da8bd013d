package org.attribution.aggregate;

/**
 * How one feature's overall importance for one target moved since the previous run.
 *
 * @param target the explained output
 * @param targetName its label
 * @param feature the feature
 * @param previousMeanAbs mean |attribution| in the previous run; NaN if the feature is new
 * @param currentMeanAbs mean |attribution| in this run; NaN if the feature is gone
 * @param change {@code currentMeanAbs - previousMeanAbs}
 * @param relativeChange {@code change / previousMeanAbs}
 * @param significant whether the two runs' 95% confidence intervals do not overlap
 * @param previousRank rank in the previous run; null if new
 * @param currentRank rank in this run; null if gone
 * @param rankChange {@code previousRank - currentRank}: positive when the feature rose
 */
public record DriftRow(
    int target,
    String targetName,
    String feature,
    double previousMeanAbs,
    double currentMeanAbs,
    double change,
    double relativeChange,
    boolean significant,
    Integer previousRank,
    Integer currentRank,
    Integer rankChange) {}
