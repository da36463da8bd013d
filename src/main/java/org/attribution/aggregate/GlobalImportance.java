package org.attribution.aggregate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.attribution.output.ResultSchema;
import scala.Tuple2;

/**
 * Aggregates per-row results into global importance, overall and per segment.
 *
 * <p>Two stages. On the executors, each task keeps {@link ResultSums} per finest group (target
 * and every segment column's value) in an {@link ImportanceAccumulator}: a few sums per feature
 * and row, never a row per feature; the tasks' partials are merged per group before they reach
 * the driver. On the driver, one partial per group (bounded by the number of segment value
 * combinations, not by rows or partitions) is merged into the overall rows and into each segment
 * column's rows. The sums merge in any order to the same values, so neither partitioning nor the
 * order tasks finish in changes a reported number.
 */
public final class GlobalImportance {

  private GlobalImportance() {}

  /**
   * Statistics of one finest group: a target and one value of every segment column.
   *
   * @param target the explained output
   * @param targetName its label
   * @param segmentValues one value per segment column, as strings ({@code "null"} where missing)
   * @param sums the group's statistics
   */
  public record Partial(int target, String targetName, List<String> segmentValues, ResultSums sums)
      implements Serializable {

    public Partial {
      segmentValues = List.copyOf(segmentValues);
    }

    /** What identifies the group: the target and the segment values. */
    List<Object> key() {
      return key(target, segmentValues);
    }

    static List<Object> key(int target, List<String> segmentValues) {
      List<Object> key = new ArrayList<>(1 + segmentValues.size());
      key.add(target);
      key.addAll(segmentValues);
      return key;
    }

    /** Both partials' rows together, in a new partial; neither is changed. */
    Partial merge(Partial other) {
      ResultSums merged = new ResultSums(sums.features()).merge(sums).merge(other.sums);
      return new Partial(target, targetName, segmentValues, merged);
    }
  }

  /**
   * The tasks' partials merged per group on the executors, so that the driver receives one
   * partial per group whatever the number of partitions.
   */
  public static List<Partial> mergeByGroup(JavaRDD<Partial> partials) {
    return partials.mapToPair(p -> new Tuple2<>(p.key(), p)).reduceByKey(Partial::merge).values().collect();
  }

  /**
   * Computes global importance from a table of per-row results, such as the per-row output.
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

  /** The executor stage over result rows: statistics per (target, segment values). */
  static List<Partial> partials(Dataset<Row> results, List<String> features, List<String> segmentColumns) {
    StructType schema = results.schema();
    int[] segmentAt = segmentColumns.stream().mapToInt(schema::fieldIndex).toArray();
    int[] featureAt = features.stream().mapToInt(f -> schema.fieldIndex(ResultSchema.column(f))).toArray();
    int target = schema.fieldIndex("target");
    int targetName = schema.fieldIndex("target_name");
    int prediction = schema.fieldIndex("prediction");
    int reference = schema.fieldIndex("reference");
    int gap = schema.fieldIndex("completeness_gap");
    FlatMapFunction<Iterator<Row>, Partial> summarise = rows -> {
      ImportanceAccumulator accumulator = new ImportanceAccumulator(featureAt.length);
      String[] segmentValues = new String[segmentAt.length];
      double[] values = new double[featureAt.length];
      while (rows.hasNext()) {
        Row row = rows.next();
        for (int s = 0; s < segmentAt.length; s++) {
          segmentValues[s] = row.isNullAt(segmentAt[s]) ? null : row.get(segmentAt[s]).toString();
        }
        for (int f = 0; f < featureAt.length; f++) {
          values[f] = row.getDouble(featureAt[f]);
        }
        accumulator.add(row.getInt(target), row.getString(targetName), segmentValues, row.getDouble(prediction),
            row.getDouble(reference), row.getDouble(gap), values, 0);
      }
      return accumulator.partials().iterator();
    };
    return mergeByGroup(results.javaRDD().mapPartitions(summarise));
  }

  /**
   * The driver stage: merges partial statistics into overall and per-segment rows. Pure, so tests
   * can feed it partials in any order.
   */
  public static ImportanceSummary summarise(
      List<Partial> partials, List<String> features, List<String> segmentColumns, long minSegmentRows) {
    Map<Integer, String> targetNames = new TreeMap<>();
    Map<Integer, ResultSums> quality = new TreeMap<>();
    Map<GroupKey, ResultSums> groups = new TreeMap<>();
    for (Partial partial : partials) {
      targetNames.put(partial.target(), partial.targetName());
      quality.computeIfAbsent(partial.target(), k -> new ResultSums(features.size())).merge(partial.sums());
      groups.computeIfAbsent(new GroupKey(-1, "", partial.target()), k -> new ResultSums(features.size()))
          .merge(partial.sums());
      for (int s = 0; s < segmentColumns.size(); s++) {
        groups.computeIfAbsent(new GroupKey(s, partial.segmentValues().get(s), partial.target()),
            k -> new ResultSums(features.size())).merge(partial.sums());
      }
    }
    List<ImportanceRow> rows = new ArrayList<>();
    groups.forEach((key, sums) -> rows.addAll(rowsOf(key, sums, targetNames.get(key.target()), features,
        key.segment() < 0 ? null : segmentColumns.get(key.segment()), minSegmentRows)));
    List<TargetQuality> qualities = new ArrayList<>();
    quality.forEach((target, sums) -> qualities.add(new TargetQuality(target, targetNames.get(target), sums.quality())));
    return new ImportanceSummary(rows, qualities);
  }

  private static List<ImportanceRow> rowsOf(GroupKey key, ResultSums sums, String targetName, List<String> features,
      String segmentColumn, long minSegmentRows) {
    long groupRows = sums.rows();
    FeatureStats[] stats = new FeatureStats[features.size()];
    Arrays.setAll(stats, sums::feature);
    boolean lowCount = segmentColumn != null && groupRows < minSegmentRows;
    double total = Arrays.stream(stats).mapToDouble(s -> s.absolute().mean()).sum();
    Integer[] ranks = new Integer[features.size()];
    if (!lowCount) {
      Integer[] order = new Integer[features.size()];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -stats[i].absolute().mean())
          .thenComparing(features::get));
      for (int r = 0; r < order.length; r++) {
        ranks[order[r]] = r + 1;
      }
    }
    List<ImportanceRow> rows = new ArrayList<>();
    for (int f = 0; f < features.size(); f++) {
      FeatureStats feature = stats[f];
      Moments absolute = feature.absolute();
      ConfidenceInterval interval = ConfidenceInterval.ofNonNegativeMean(absolute);
      rows.add(new ImportanceRow(
          segmentColumn, segmentColumn == null ? null : key.value(), key.target(), targetName, features.get(f),
          groupRows, absolute.mean(), feature.signed().mean(), feature.signed().sampleStd(), absolute.standardError(),
          interval.low(), interval.high(),
          total == 0 ? 0 : absolute.mean() / total,
          groupRows == 0 ? 0 : (double) feature.positive() / groupRows,
          ranks[f], lowCount));
    }
    if (!lowCount) {
      rows.sort(Comparator.comparing(ImportanceRow::rank));
    }
    return rows;
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
}
