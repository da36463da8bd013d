package org.attribution.aggregate;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.var_pop;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.output.ResultSchema;

/**
 * Aggregates per-row results into global importance, overall and per segment.
 *
 * <p>Two stages. On the executors, one grouped aggregation over the wide per-row results, by
 * target and every segment column together, with Spark's numerically stable central-moment
 * aggregates (a handful per feature); rows are never multiplied by features. On the driver, the
 * partial statistics of those finest groups (bounded by the number of segment value combinations,
 * not by rows) are merged exactly into the overall rows and into each segment column's rows.
 */
public final class GlobalImportance {

  /** z for a two-sided 95% normal interval. */
  static final double Z_95 = 1.959963984540054;
  private static final int STATS_PER_FEATURE = 5;

  private GlobalImportance() {}

  /**
   * Statistics of one finest group: a target and one value of every segment column.
   *
   * @param target the explained output
   * @param targetName its label
   * @param segmentValues one value per segment column, as strings
   * @param quality completeness statistics
   * @param features statistics per feature, in player order
   */
  public record Partial(
      int target, String targetName, List<String> segmentValues, QualityStats quality, List<FeatureStats> features) {

    public Partial {
      segmentValues = List.copyOf(segmentValues);
      features = List.copyOf(features);
    }
  }

  /**
   * Computes global importance.
   *
   * @param results per-row results, in {@link ResultSchema}
   * @param features the reported features, in player order
   * @param segmentColumns the segment columns present in {@code results}
   * @param minSegmentRows segments with fewer rows are reported unranked and flagged
   */
  public static ImportanceSummary compute(
      Dataset<Row> results, List<String> features, List<String> segmentColumns, long minSegmentRows) {
    return summarise(partials(results, features, segmentColumns), features, segmentColumns, minSegmentRows);
  }

  /** The executor stage: statistics per (target, segment values). */
  static List<Partial> partials(Dataset<Row> results, List<String> features, List<String> segmentColumns) {
    List<Column> keys = new ArrayList<>(List.of(col("target"), col("target_name")));
    for (String column : segmentColumns) {
      keys.add(coalesce(col("`" + column + "`").cast("string"), lit("null")).as(column));
    }
    // A model can return NaN or infinity for some inputs; those rows are counted, and masked to
    // null in every statistic (aggregates skip nulls), so they cannot turn an audit into NaN.
    Column finite = finite(col("prediction")).and(finite(col("completeness_gap")));
    List<Column> aggregates = new ArrayList<>();
    aggregates.add(count(when(finite, lit(1))));
    aggregates.add(avg(abs(when(finite, col("completeness_gap")))));
    aggregates.add(max(abs(when(finite, col("completeness_gap")))));
    aggregates.add(avg(abs(when(finite, col("prediction").minus(col("reference"))))));
    aggregates.add(count(when(not(finite), lit(1))));
    for (String feature : features) {
      Column value = when(finite, col("`" + ResultSchema.column(feature) + "`"));
      aggregates.add(avg(value));
      aggregates.add(var_pop(value));
      aggregates.add(avg(abs(value)));
      aggregates.add(var_pop(abs(value)));
      aggregates.add(sum(when(value.gt(0), 1L).otherwise(0L)));
    }
    List<Row> groups = results
        .groupBy(keys.toArray(new Column[0]))
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(new Column[0]))
        .collectAsList();
    int first = keys.size();
    List<Partial> partials = new ArrayList<>();
    for (Row group : groups) {
      List<String> segmentValues = new ArrayList<>();
      for (int s = 0; s < segmentColumns.size(); s++) {
        segmentValues.add(group.getString(2 + s));
      }
      long n = group.getLong(first);
      QualityStats quality = new QualityStats(n, orZero(group, first + 1), orZero(group, first + 2),
          orZero(group, first + 3), group.getLong(first + 4));
      List<FeatureStats> stats = new ArrayList<>();
      for (int f = 0; f < features.size(); f++) {
        int at = first + 5 + f * STATS_PER_FEATURE;
        stats.add(new FeatureStats(
            Moments.fromPopulationVariance(n, orZero(group, at), orZero(group, at + 1)),
            Moments.fromPopulationVariance(n, orZero(group, at + 2), orZero(group, at + 3)),
            group.getLong(at + 4)));
      }
      partials.add(new Partial(group.getInt(0), group.getString(1), segmentValues, quality, stats));
    }
    return partials;
  }

  /**
   * The driver stage: merges partial statistics into overall and per-segment rows. Pure, so tests
   * can feed it partials in any order.
   */
  public static ImportanceSummary summarise(
      List<Partial> partials, List<String> features, List<String> segmentColumns, long minSegmentRows) {
    // Sorted keys make the merge order, and so the last bits of every sum, independent of the
    // order Spark returned the groups in.
    List<Partial> ordered = new ArrayList<>(partials);
    ordered.sort(Comparator.comparingInt(Partial::target)
        .thenComparing(p -> String.join("\u0000", p.segmentValues())));
    Map<Integer, String> targetNames = new TreeMap<>();
    Map<Integer, QualityStats> quality = new TreeMap<>();
    Map<GroupKey, Merged> groups = new TreeMap<>();
    for (Partial partial : ordered) {
      targetNames.put(partial.target(), partial.targetName());
      quality.merge(partial.target(), partial.quality(), QualityStats::merge);
      groups.computeIfAbsent(new GroupKey(-1, "", partial.target()), k -> new Merged(features.size())).add(partial);
      for (int s = 0; s < segmentColumns.size(); s++) {
        groups.computeIfAbsent(new GroupKey(s, partial.segmentValues().get(s), partial.target()),
            k -> new Merged(features.size())).add(partial);
      }
    }
    List<ImportanceRow> rows = new ArrayList<>();
    groups.forEach((key, merged) -> rows.addAll(rowsOf(key, merged, targetNames.get(key.target()), features,
        key.segment() < 0 ? null : segmentColumns.get(key.segment()), minSegmentRows)));
    List<TargetQuality> qualities = new ArrayList<>();
    quality.forEach((target, stats) -> qualities.add(new TargetQuality(target, targetNames.get(target), stats)));
    return new ImportanceSummary(rows, qualities);
  }

  private static List<ImportanceRow> rowsOf(GroupKey key, Merged merged, String targetName, List<String> features,
      String segmentColumn, long minSegmentRows) {
    boolean lowCount = segmentColumn != null && merged.rows < minSegmentRows;
    double total = Arrays.stream(merged.stats).mapToDouble(s -> s.absolute().mean()).sum();
    Integer[] ranks = new Integer[features.size()];
    if (!lowCount) {
      Integer[] order = new Integer[features.size()];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -merged.stats[i].absolute().mean())
          .thenComparing(features::get));
      for (int r = 0; r < order.length; r++) {
        ranks[order[r]] = r + 1;
      }
    }
    List<ImportanceRow> rows = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      FeatureStats stats = merged.stats[f];
      Moments absolute = stats.absolute();
      double se = absolute.standardError();
      rows.add(new ImportanceRow(
          segmentColumn, segmentColumn == null ? null : key.value(), key.target(), targetName, features.get(f),
          merged.rows, absolute.mean(), stats.signed().mean(), stats.signed().sampleStd(), se,
          absolute.mean() - Z_95 * se, absolute.mean() + Z_95 * se,
          total == 0 ? 0 : absolute.mean() / total,
          merged.rows == 0 ? 0 : (double) stats.positive() / merged.rows,
          ranks[f], lowCount));
    }
    if (!lowCount) {
      rows.sort(Comparator.comparing(ImportanceRow::rank));
    }
    return rows;
  }

  private static Column finite(Column value) {
    return not(isnan(value)).and(abs(value).notEqual(lit(Double.POSITIVE_INFINITY)));
  }

  /** An aggregate over no (finite) rows is null. */
  private static double orZero(Row row, int field) {
    return row.isNullAt(field) ? 0 : row.getDouble(field);
  }

  /** Overall rows (segment -1) sort first, then each segment column's values in order. */
  private record GroupKey(int segment, String value, int target) implements Comparable<GroupKey> {
    @Override
    public int compareTo(GroupKey other) {
      return Comparator.comparingInt(GroupKey::segment)
          .thenComparing(GroupKey::value)
          .thenComparingInt(GroupKey::target)
          .compare(this, other);
    }
  }

  /** Running merge of partials into one group. */
  private static final class Merged {
    final FeatureStats[] stats;
    long rows;

    Merged(int features) {
      stats = new FeatureStats[features];
      Arrays.fill(stats, FeatureStats.EMPTY);
    }

    void add(Partial partial) {
      rows += partial.quality().rows();
      for (int f = 0; f < stats.length; f++) {
        stats[f] = stats[f].merge(partial.features().get(f));
      }
    }
  }
}
