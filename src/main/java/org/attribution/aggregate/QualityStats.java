package org.attribution.aggregate;

/**
 * Completeness statistics of a group of rows.
 *
 * @param rows rows in the group
 * @param meanAbsGap mean |completeness gap|
 * @param maxAbsGap largest |completeness gap|
 * @param meanAbsDelta mean |f(x) - reference|, the scale the gap compares with
 * @param nonFinite rows left out of every statistic because the model gave them a NaN or infinite
 *     output (or attribution)
 */
public record QualityStats(long rows, double meanAbsGap, double maxAbsGap, double meanAbsDelta, long nonFinite) {}
