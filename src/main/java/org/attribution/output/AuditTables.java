package org.attribution.output;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.attribution.aggregate.DriftRow;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.quality.QualityChange;
import org.attribution.quality.QualityMeasure;
import org.attribution.quality.TargetQualitySummary;

/**
 * The audit tables dashboards read: their schemas and rows. Every table also has the partition
 * columns {@code run_date} (date) and {@code run_id} (string) from its directory layout.
 *
 * <p>The schemas are a contract: renaming or dropping a column, or changing its type, is a new
 * {@link #SCHEMA_VERSION}, and every row records the version it was written with.
 */
public final class AuditTables {

  /** Version of the table schemas below. */
  public static final int SCHEMA_VERSION = 2;

  /** global_importance: one row per (segment, target, feature). */
  public static final StructType IMPORTANCE = schema(
      "schema_version", DataTypes.IntegerType, false,
      "run_timestamp", DataTypes.TimestampType, false,
      "job_name", DataTypes.StringType, false,
      "dataset", DataTypes.StringType, false,
      "model_name", DataTypes.StringType, false,
      "model_sha256", DataTypes.StringType, false,
      "method", DataTypes.StringType, false,
      "target", DataTypes.IntegerType, false,
      "target_name", DataTypes.StringType, false,
      "segment_column", DataTypes.StringType, true,
      "segment_value", DataTypes.StringType, true,
      "feature", DataTypes.StringType, false,
      "rows", DataTypes.LongType, false,
      "mean_abs_attribution", DataTypes.DoubleType, false,
      "mean_attribution", DataTypes.DoubleType, false,
      "std_attribution", DataTypes.DoubleType, true,
      "se_mean_abs_attribution", DataTypes.DoubleType, true,
      "ci95_low", DataTypes.DoubleType, true,
      "ci95_high", DataTypes.DoubleType, true,
      "importance_share", DataTypes.DoubleType, false,
      "positive_share", DataTypes.DoubleType, false,
      "rank", DataTypes.IntegerType, true,
      "low_count", DataTypes.BooleanType, false);

  /** drift: one row per (target, feature), against the run in {@code compared_to_run}. */
  public static final StructType DRIFT = schema(
      "schema_version", DataTypes.IntegerType, false,
      "run_timestamp", DataTypes.TimestampType, false,
      "job_name", DataTypes.StringType, false,
      "compared_to_run", DataTypes.StringType, false,
      "target", DataTypes.IntegerType, false,
      "target_name", DataTypes.StringType, false,
      "feature", DataTypes.StringType, false,
      "previous_mean_abs_attribution", DataTypes.DoubleType, true,
      "current_mean_abs_attribution", DataTypes.DoubleType, true,
      "change", DataTypes.DoubleType, true,
      "relative_change", DataTypes.DoubleType, true,
      "significant", DataTypes.BooleanType, false,
      "previous_rank", DataTypes.IntegerType, true,
      "current_rank", DataTypes.IntegerType, true,
      "rank_change", DataTypes.IntegerType, true);

  /**
   * quality: one row per (target, measure), how far to trust the run's attributions; measured on
   * a sample of rows, except {@code completeness_gap}, over every explained row.
   */
  public static final StructType QUALITY = schema(
      "schema_version", DataTypes.IntegerType, false,
      "run_timestamp", DataTypes.TimestampType, false,
      "job_name", DataTypes.StringType, false,
      "dataset", DataTypes.StringType, false,
      "model_name", DataTypes.StringType, false,
      "model_sha256", DataTypes.StringType, false,
      "method", DataTypes.StringType, false,
      "target", DataTypes.IntegerType, false,
      "target_name", DataTypes.StringType, false,
      "measure", DataTypes.StringType, false,
      "value", DataTypes.DoubleType, true,
      "standard_error", DataTypes.DoubleType, true,
      "rows", DataTypes.LongType, false,
      "compared_to_run", DataTypes.StringType, true,
      "previous_value", DataTypes.DoubleType, true,
      "change", DataTypes.DoubleType, true,
      "z", DataTypes.DoubleType, true,
      "significant", DataTypes.BooleanType, true);

  /** runs: one row per run, the manifest's main fields and the whole manifest as JSON. */
  public static final StructType RUNS = schema(
      "schema_version", DataTypes.IntegerType, false,
      "run_timestamp", DataTypes.TimestampType, false,
      "finished_at", DataTypes.TimestampType, false,
      "job_name", DataTypes.StringType, false,
      "dataset", DataTypes.StringType, false,
      "model_name", DataTypes.StringType, false,
      "model_sha256", DataTypes.StringType, false,
      "method", DataTypes.StringType, false,
      "rows_read", DataTypes.LongType, false,
      "rows_explained", DataTypes.LongType, false,
      "rows_rejected", DataTypes.LongType, false,
      "rows_per_second", DataTypes.DoubleType, false,
      "duration_ms", DataTypes.LongType, false,
      "mean_abs_gap", DataTypes.DoubleType, true,
      "max_abs_gap", DataTypes.DoubleType, true,
      "compared_to_run", DataTypes.StringType, true,
      "min_ndcg_at_k", DataTypes.DoubleType, true,
      "significant_changes", DataTypes.IntegerType, true,
      "drift_gate_failed", DataTypes.BooleanType, false,
      "manifest_json", DataTypes.StringType, false);

  private AuditTables() {}

  /** Rows of the importance table. */
  public static List<Row> importanceRows(RunInfo run, List<ImportanceRow> rows) {
    List<Row> out = new ArrayList<>();
    for (ImportanceRow r : rows) {
      out.add(RowFactory.create(SCHEMA_VERSION, timestamp(run), run.jobName(), run.dataset(), run.modelName(),
          run.modelSha256(), run.method(), r.target(), r.targetName(), r.segmentColumn(), r.segmentValue(),
          r.feature(), r.rows(), r.meanAbsAttribution(), r.meanAttribution(), finite(r.stdAttribution()),
          finite(r.standardError()), finite(r.ciLow()), finite(r.ciHigh()), r.importanceShare(), r.positiveShare(),
          r.rank(), r.lowCount()));
    }
    return out;
  }

  /** Reads an importance table row back, e.g. an earlier run's, for drift. */
  public static ImportanceRow importanceOf(Row row) {
    return new ImportanceRow(row.getAs("segment_column"), row.getAs("segment_value"), row.<Integer>getAs("target"),
        row.getAs("target_name"), row.getAs("feature"), row.<Long>getAs("rows"),
        row.<Double>getAs("mean_abs_attribution"), row.<Double>getAs("mean_attribution"),
        nanIfNull(row.getAs("std_attribution")), nanIfNull(row.getAs("se_mean_abs_attribution")),
        nanIfNull(row.getAs("ci95_low")), nanIfNull(row.getAs("ci95_high")), row.<Double>getAs("importance_share"),
        row.<Double>getAs("positive_share"), row.getAs("rank"), row.<Boolean>getAs("low_count"));
  }

  /** Rows of the drift table. */
  public static List<Row> driftRows(RunInfo run, DriftSummary summary, List<DriftRow> rows) {
    List<Row> out = new ArrayList<>();
    for (DriftRow r : rows) {
      out.add(RowFactory.create(SCHEMA_VERSION, timestamp(run), run.jobName(), summary.previousRunId(), r.target(),
          r.targetName(), r.feature(), finite(r.previousMeanAbs()), finite(r.currentMeanAbs()), finite(r.change()),
          finite(r.relativeChange()), r.significant(), r.previousRank(), r.currentRank(), r.rankChange()));
    }
    return out;
  }

  /**
   * Rows of the quality table: every measure of every target, with how it moved since the run
   * compared with, where that run has the measure too.
   *
   * @param comparedToRun the run compared with; null for none
   * @param changes how each measure moved since that run
   */
  public static List<Row> qualityRows(RunInfo run, List<TargetQualitySummary> quality, String comparedToRun,
      List<QualityChange> changes) {
    Map<List<Object>, QualityChange> byMeasure = new HashMap<>();
    changes.forEach(c -> byMeasure.put(List.of(c.target(), c.measure()), c));
    List<Row> out = new ArrayList<>();
    for (TargetQualitySummary t : quality) {
      for (QualityMeasure m : t.measures()) {
        out.add(qualityRow(run, t.target(), t.targetName(), m, comparedToRun,
            byMeasure.get(List.of(t.target(), m.measure()))));
      }
    }
    return out;
  }

  /** Reads a quality table row's measure back, e.g. an earlier run's, for comparison. */
  public static QualityMeasure qualityOf(Row row) {
    return new QualityMeasure(row.getAs("measure"), nanIfNull(row.getAs("value")),
        nanIfNull(row.getAs("standard_error")), row.<Long>getAs("rows"));
  }

  private static Row qualityRow(RunInfo run, int target, String targetName, QualityMeasure m, String comparedToRun,
      QualityChange change) {
    return RowFactory.create(SCHEMA_VERSION, timestamp(run), run.jobName(), run.dataset(), run.modelName(),
        run.modelSha256(), run.method(), target, targetName, m.measure(), finite(m.value()), finite(m.standardError()),
        m.rows(), comparedToRun, change == null ? null : finite(change.previous()),
        change == null ? null : finite(change.change()), change == null ? null : finite(change.z()),
        change == null ? null : change.significant());
  }

  /** The run's row of the runs table. */
  public static Row runRow(RunInfo run, RunManifest manifest, List<org.attribution.aggregate.TargetQuality> quality, DriftSummary drift,
      String manifestJson) {
    Double meanGap = quality.isEmpty() ? null
        : quality.stream().mapToDouble(q -> q.stats().meanAbsGap()).max().orElseThrow();
    Double maxGap = quality.isEmpty() ? null
        : quality.stream().mapToDouble(q -> q.stats().maxAbsGap()).max().orElseThrow();
    Double minNdcg = drift == null || drift.targets().isEmpty() ? null
        : drift.targets().stream().mapToDouble(DriftSummary.TargetDrift::ndcgAtK).min().orElseThrow();
    return RowFactory.create(SCHEMA_VERSION, timestamp(run), Timestamp.from(java.time.Instant.parse(manifest.finishedAt())),
        run.jobName(), run.dataset(), run.modelName(), run.modelSha256(), run.method(), manifest.rows().read(),
        manifest.rows().explained(), manifest.rows().rejected(), manifest.rowsPerSecond(),
        manifest.timingsMs().getOrDefault("total", 0L), meanGap, maxGap,
        drift == null ? null : drift.previousRunId(), minNdcg, drift == null ? null : drift.significantChanges(),
        drift != null && drift.gateFailed(), manifestJson);
  }

  private static Timestamp timestamp(RunInfo run) {
    return Timestamp.from(run.startedAt());
  }

  /** Parquet has no NaN-aware readers in most BI tools: an undefined statistic is written as null. */
  private static Double finite(double value) {
    return Double.isFinite(value) ? value : null;
  }

  private static double nanIfNull(Double value) {
    return value == null ? Double.NaN : value;
  }

  private static StructType schema(Object... nameTypeNullable) {
    List<StructField> fields = new ArrayList<>();
    for (int i = 0; i < nameTypeNullable.length; i += 3) {
      fields.add(DataTypes.createStructField(
          (String) nameTypeNullable[i], (DataType) nameTypeNullable[i + 1], (Boolean) nameTypeNullable[i + 2]));
    }
    return DataTypes.createStructType(fields);
  }
}
