package org.attribution.aggregate;

/**
 * Global importance of one feature for one target.
 *
 * @param feature the reported feature
 * @param meanAbsAttribution mean of |attribution| over the explained rows: the ranking measure
 * @param meanAttribution mean signed attribution
 * @param stdAttribution sample standard deviation of the attribution; NaN for a single row
 * @param rank 1 for the largest mean |attribution|; ties broken by feature name
 */
public record FeatureImportance(
    String feature, double meanAbsAttribution, double meanAttribution, double stdAttribution, int rank) {}
