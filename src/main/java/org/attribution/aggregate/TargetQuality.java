package org.attribution.aggregate;

/**
 * Completeness of one target over the whole run.
 *
 * @param target the explained output
 * @param targetName its label
 * @param stats rows, gaps and the scale they compare with
 */
public record TargetQuality(int target, String targetName, QualityStats stats) {}
