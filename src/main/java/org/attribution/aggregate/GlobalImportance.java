package org.attribution.aggregate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.stddev_samp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.job.ResultSchema;

/**
 * Aggregates per-row results into global importance per target.
 *
 * <p>One grouped aggregation over the wide per-row results, with a handful of aggregate
 * expressions per feature, runs on the executors; only one summary row per target reaches the
 * driver, so driver memory does not depend on the number of rows, and rows are never multiplied
 * by features.
 */
public final class GlobalImportance {

  private static final int STATS_PER_FEATURE = 3;
  /** Summary row: target, target_name, count, three gap statistics, then the feature stats. */
  private static final int FIRST_FEATURE_FIELD = 6;

  private GlobalImportance() {}

  /**
   * Computes global importance.
   *
   * @param results per-row results, in {@link ResultSchema}
   * @param features the reported features, in player order
   * @return one entry per explained target, ordered by target index
   */
  public static List<TargetImportance> compute(Dataset<Row> results, List<String> features) {
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(lit(1)));
    aggregates.add(avg(abs(col("completeness_gap"))));
    aggregates.add(max(abs(col("completeness_gap"))));
    aggregates.add(avg(abs(col("prediction").minus(col("reference")))));
    for (String feature : features) {
      Column value = col("`" + ResultSchema.column(feature) + "`");
      aggregates.add(avg(abs(value)));
      aggregates.add(avg(value));
      aggregates.add(stddev_samp(value));
    }
    List<Row> summaries = results
        .groupBy("target", "target_name")
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0]))
        .orderBy("target")
        .collectAsList();
    List<TargetImportance> targets = new ArrayList<>();
    for (Row summary : summaries) {
      targets.add(toTarget(summary, features));
    }
    return targets;
  }

  private static TargetImportance toTarget(Row summary, List<String> features) {
    List<FeatureImportance> unranked = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      int at = FIRST_FEATURE_FIELD + f * STATS_PER_FEATURE;
      unranked.add(new FeatureImportance(
          features.get(f), summary.getDouble(at), summary.getDouble(at + 1), orNaN(summary, at + 2), 0));
    }
    unranked.sort(Comparator.comparingDouble(FeatureImportance::meanAbsAttribution).reversed()
        .thenComparing(FeatureImportance::feature));
    List<FeatureImportance> ranked = new ArrayList<>();
    for (int i = 0; i < unranked.size(); i++) {
      FeatureImportance f = unranked.get(i);
      ranked.add(new FeatureImportance(f.feature(), f.meanAbsAttribution(), f.meanAttribution(), f.stdAttribution(), i + 1));
    }
    return new TargetImportance(
        summary.getInt(0), summary.getString(1), summary.getLong(2),
        summary.getDouble(3), summary.getDouble(4), summary.getDouble(5), ranked);
  }

  private static double orNaN(Row row, int field) {
    return row.isNullAt(field) ? Double.NaN : row.getDouble(field);
  }
}
