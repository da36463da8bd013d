package org.attribution.output;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.OutputConfig;

/** The one place that maps {@code output.format} to its {@link TableSink}. */
public final class TableSinks {

  private TableSinks() {}

  /** The sink of a validated output configuration. */
  static TableSink of(OutputConfig output, String root, SparkSession spark, Configuration conf) {
    String prefix = output.tablePrefix();
    return switch (output.format()) {
      case "parquet" -> new ParquetTables(spark, root, conf);
      case "iceberg" -> prefix == null ? IcebergTables.embedded(spark, root) : IcebergTables.named(spark, prefix);
      case "delta" -> prefix == null ? DeltaTables.embedded(spark, root) : DeltaTables.named(spark, prefix);
      default -> throw new IllegalArgumentException("Unknown output.format " + output.format());
    };
  }

  /**
   * Spark settings the format needs in a session that is about to start (those a running session
   * cannot take), given the settings it starts with.
   */
  public static Map<String, String> sessionSettings(OutputConfig output, SparkConf conf) {
    return output.format().equals("delta") ? DeltaTables.sessionSettings(conf) : Map.of();
  }
}
