package org.attribution.output;

import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Where the audit tables live, and how a run's tables become visible: one implementation per
 * {@code output.format}.
 *
 * <p>A run stages each table as Parquet under {@code <output.path>/_staging/<run id>/} while it
 * runs; nothing there is visible. {@link #commit} then replaces the run's rows of each table with
 * the staged ones, each table in one step that readers see whole or not at all, in the order given
 * ({@code runs} last, so a run listed there is complete). Rerunning a run id replaces its rows.
 */
public interface TableSink {

  /** The table property (and Parquet manifest field) holding the tables' schema version. */
  String SCHEMA_VERSION_PROPERTY = "spark_attribution.schema_version";

  /** A table's staged rows, or none: the table then loses the run's rows, if it had any. */
  record Staged(String table, String path) {}

  /**
   * Refuses, before any data is read, tables this job cannot write: a catalog or namespace that
   * does not answer, a format missing from the session, a table this job did not create, or one
   * written by a newer version of the job.
   *
   * @throws org.attribution.config.InvalidJobException saying why
   */
  void check();

  /** Makes a run's staged tables visible, each atomically, in the order given. */
  void commit(String runId, LocalDate runDate, List<Staged> tables);

  /** A table's committed rows, all runs, with {@code run_date} and {@code run_id}; empty if none yet. */
  Optional<Dataset<Row>> read(String table);

  /** Where a user finds the table: a directory, or a name in the Spark catalog. */
  String location(String table);

  /** How Spark SQL in this session names the table. */
  String sqlName(String table);
}
