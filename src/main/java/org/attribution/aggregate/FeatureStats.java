package org.attribution.aggregate;

/**
 * Statistics of one feature's attributions over a group of rows.
 *
 * @param signed moments of the attribution
 * @param absolute moments of |attribution|
 * @param positive rows whose attribution is above 0
 */
public record FeatureStats(Moments signed, Moments absolute, long positive) {}
