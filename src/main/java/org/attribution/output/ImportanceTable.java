package org.attribution.output;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.aggregate.FeatureImportance;
import org.attribution.aggregate.TargetImportance;

/** Writes global importance as a long Parquet table: one row per (target, feature). */
public final class ImportanceTable {

  /** The table's schema; column names are stable snake_case. */
  public static final StructType SCHEMA = DataTypes.createStructType(List.of(
      DataTypes.createStructField("run_id", DataTypes.StringType, false),
      DataTypes.createStructField("job_name", DataTypes.StringType, false),
      DataTypes.createStructField("model_name", DataTypes.StringType, false),
      DataTypes.createStructField("model_sha256", DataTypes.StringType, false),
      DataTypes.createStructField("method", DataTypes.StringType, false),
      DataTypes.createStructField("target", DataTypes.IntegerType, false),
      DataTypes.createStructField("target_name", DataTypes.StringType, false),
      DataTypes.createStructField("feature", DataTypes.StringType, false),
      DataTypes.createStructField("rows", DataTypes.LongType, false),
      DataTypes.createStructField("mean_abs_attribution", DataTypes.DoubleType, false),
      DataTypes.createStructField("mean_attribution", DataTypes.DoubleType, false),
      DataTypes.createStructField("std_attribution", DataTypes.DoubleType, true),
      DataTypes.createStructField("rank", DataTypes.IntegerType, false)));

  private ImportanceTable() {}

  /** Writes the table to {@code path}, replacing what was there. */
  public static void write(SparkSession spark, RunInfo run, List<TargetImportance> targets, String path) {
    List<Row> rows = new ArrayList<>();
    for (TargetImportance target : targets) {
      for (FeatureImportance f : target.features()) {
        rows.add(RowFactory.create(
            run.runId(), run.jobName(), run.modelName(), run.modelSha256(), run.method(),
            target.target(), target.targetName(), f.feature(), target.rows(),
            f.meanAbsAttribution(), f.meanAttribution(),
            Double.isNaN(f.stdAttribution()) ? null : f.stdAttribution(), f.rank()));
      }
    }
    spark.createDataFrame(rows, SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite).parquet(path);
  }
}
