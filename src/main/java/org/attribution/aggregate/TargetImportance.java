package org.attribution.aggregate;

import java.util.List;

/**
 * Global importance and run quality for one explained target.
 *
 * @param target the explained output index
 * @param targetName its label
 * @param rows rows explained for this target
 * @param meanAbsGap mean |completeness gap| over those rows
 * @param maxAbsGap largest |completeness gap|
 * @param meanAbsDelta mean |f(x) - reference|: the scale the gaps compare against
 * @param features every feature, ordered by rank
 */
public record TargetImportance(
    int target,
    String targetName,
    long rows,
    double meanAbsGap,
    double maxAbsGap,
    double meanAbsDelta,
    List<FeatureImportance> features) {

  public TargetImportance {
    features = List.copyOf(features);
  }
}
