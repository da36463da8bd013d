package org.attribution.quality;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * The quality of one target's explanations over the measured rows: the mean curves and the mean
 * of every measure.
 *
 * @param target the explained output
 * @param targetName its label
 * @param rows rows measured
 * @param fractions the curves' x axis: the fraction of players removed (deletion) or present
 *     (insertion)
 * @param deletion mean deletion curve, ranked order
 * @param deletionRandom mean deletion curve, random order
 * @param insertion mean insertion curve, ranked order
 * @param insertionRandom mean insertion curve, random order
 * @param measures the measures, in a fixed order
 */
public record TargetQualitySummary(int target, String targetName, long rows, double[] fractions, double[] deletion,
    double[] deletionRandom, double[] insertion, double[] insertionRandom, List<QualityMeasure> measures)
    implements Serializable {

  /**
   * Combines row measures, per target in ascending order. The rows are summed in the order given,
   * so the caller fixes that order (by row seed) for results that do not depend on partitioning.
   *
   * @param rows the measured (row, target) pairs
   * @param players players per row
   * @param steps the curves' resolution, as measured
   * @param targetName a target's label
   */
  public static List<TargetQualitySummary> of(List<RowQuality> rows, int players, int steps,
      IntFunction<String> targetName) {
    Map<Integer, List<RowQuality>> byTarget = new TreeMap<>();
    rows.forEach(r -> byTarget.computeIfAbsent(r.target(), t -> new ArrayList<>()).add(r));
    double[] fractions = QualityMeasures.curveFractions(players, steps);
    List<TargetQualitySummary> out = new ArrayList<>();
    byTarget.forEach((target, measured) -> out.add(new TargetQualitySummary(target, targetName.apply(target),
        measured.size(), fractions,
        meanCurve(measured, RowQuality::deletion), meanCurve(measured, RowQuality::deletionRandom),
        meanCurve(measured, RowQuality::insertion), meanCurve(measured, RowQuality::insertionRandom),
        List.of(
            QualityMeasure.of(QualityMeasure.DELETION, values(measured, RowQuality::deletionScore)),
            QualityMeasure.of(QualityMeasure.INSERTION, values(measured, RowQuality::insertionScore)),
            QualityMeasure.of(QualityMeasure.SENSITIVITY, values(measured, RowQuality::maxSensitivity)),
            QualityMeasure.of(QualityMeasure.INFIDELITY, values(measured, RowQuality::infidelity))))));
    return out;
  }

  /** This summary with one more measure, e.g. completeness computed over every row. */
  public TargetQualitySummary with(QualityMeasure measure) {
    List<QualityMeasure> all = new ArrayList<>(measures);
    all.add(measure);
    return new TargetQualitySummary(target, targetName, rows, fractions, deletion, deletionRandom, insertion,
        insertionRandom, List.copyOf(all));
  }

  private static double[] values(List<RowQuality> rows, java.util.function.ToDoubleFunction<RowQuality> measure) {
    return rows.stream().mapToDouble(measure).toArray();
  }

  private static double[] meanCurve(List<RowQuality> rows, java.util.function.Function<RowQuality, double[]> curve) {
    double[] mean = new double[curve.apply(rows.get(0)).length];
    for (RowQuality row : rows) {
      double[] values = curve.apply(row);
      for (int j = 0; j < mean.length; j++) {
        mean[j] += values[j] / rows.size();
      }
    }
    return mean;
  }
}
