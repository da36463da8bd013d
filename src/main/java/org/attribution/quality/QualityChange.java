package org.attribution.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How one quality measure of one target moved since an earlier run.
 *
 * @param target the explained output
 * @param targetName its label
 * @param measure the measure's name
 * @param previous the earlier run's value
 * @param current this run's value
 * @param change {@code current - previous}
 * @param z the change over its standard error, {@code sqrt(se_previous^2 + se_current^2)}; NaN
 *     when either standard error is unknown
 * @param significant whether {@code |z|} is above 1.96 (two-sided 95%)
 */
public record QualityChange(int target, String targetName, String measure, double previous, double current,
    double change, double z, boolean significant) implements Serializable {

  private static final double Z_95 = 1.96;

  /**
   * Every measure both runs have, for the targets of {@code current}, in its order.
   *
   * @param previous the earlier run's measures, by target and measure name
   */
  public static List<QualityChange> compare(Map<Integer, Map<String, QualityMeasure>> previous,
      List<TargetQualitySummary> current) {
    List<QualityChange> changes = new ArrayList<>();
    for (TargetQualitySummary t : current) {
      Map<String, QualityMeasure> before = previous.getOrDefault(t.target(), Map.of());
      for (QualityMeasure now : t.measures()) {
        QualityMeasure then = before.get(now.measure());
        if (then == null) {
          continue;
        }
        double change = now.value() - then.value();
        double z = change / Math.hypot(then.standardError(), now.standardError());
        changes.add(new QualityChange(t.target(), t.targetName(), now.measure(), then.value(), now.value(), change,
            Double.isFinite(z) ? z : Double.NaN, Math.abs(z) > Z_95 && Double.isFinite(z)));
      }
    }
    return changes;
  }
}
