package org.attribution.output;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.Drift;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.config.InvalidJobException;
import org.attribution.config.OutputConfig;
import org.attribution.quality.QualityMeasure;

/**
 * A job's outputs as a history of runs: the audit tables, in the {@link TableSink} of
 * {@code output.format}, and each run's manifest and report as files under the output directory.
 *
 * <p>A run writes everything under {@code <root>/_staging/<run id>/} first and {@link #commit}s
 * at the end: a run that dies before the commit leaves every table as it was, and a run with an id
 * that exists already replaces all of that run's rows, in every table, with its own. The
 * {@code runs} table is committed last, so a run listed there is complete.
 */
public final class RunStore {

  /** Tables in commit order: {@code runs} last, as the index of complete runs. */
  public static final List<String> TABLES = List.of("per_row", "rejects", "global_importance", "drift", "quality",
      "runs");

  /**
   * Everything this job writes at the top of its output directory, in any format: the Parquet
   * tables, the embedded Iceberg and Delta tables' directories, files and staging.
   */
  private static final Set<String> OWN_ENTRIES = java.util.stream.Stream.concat(TABLES.stream(),
      java.util.stream.Stream.of("iceberg", "delta", "manifests", "reports", "_staging", "_trash"))
      .collect(java.util.stream.Collectors.toUnmodifiableSet());

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,199}");

  private final String root;
  private final Configuration conf;
  private final TableSink tables;

  /**
   * @param output where and in which format the outputs go
   * @param spark the session that reads and writes the tables
   * @param conf the Hadoop configuration
   */
  public RunStore(OutputConfig output, SparkSession spark, Configuration conf) {
    this.root = output.path().replaceAll("/+$", "");
    this.conf = conf;
    this.tables = TableSinks.of(output, root, spark, conf);
  }

  /**
   * Checks that a run id is safe as a partition value: a leading letter keeps Spark from reading
   * it back as a number, and the characters are safe in paths and globs.
   */
  public static String checkRunId(String runId) {
    if (!RUN_ID.matcher(runId).matches()) {
      throw new InvalidJobException("Cannot use run id '" + runId + "': it must start with a letter and contain only"
          + " letters, digits, '.', '_' and '-' (at most 200)");
    }
    return runId;
  }

  /** The output directory. */
  public String root() {
    return root;
  }

  /** Where a user finds a table of the whole history: a directory or a catalog name. */
  public String table(String table) {
    return tables.location(table);
  }

  /** How Spark SQL in this session names a table. */
  public String sqlName(String table) {
    return tables.sqlName(table);
  }

  /** A table's committed rows, all runs, with {@code run_date} and {@code run_id}; empty if none yet. */
  public Optional<Dataset<Row>> read(String table) {
    return tables.read(table);
  }

  /** Where a run writes a table before the commit; the rejects stay here when a run is refused. */
  public String staged(String runId, String table) {
    return root + "/_staging/" + runId + "/" + table;
  }

  /** Where the committed manifest of a run is. */
  public String manifest(String runId) {
    return root + "/manifests/" + runId + ".json";
  }

  /** Where the committed report of a run is. */
  public String report(String runId) {
    return root + "/reports/" + runId + ".html";
  }

  /** Where a run writes its manifest before the commit. */
  public String stagedManifest(String runId) {
    return staged(runId, "manifests") + "/" + runId + ".json";
  }

  /** Where a run writes its report before the commit. */
  public String stagedReport(String runId) {
    return staged(runId, "reports") + "/" + runId + ".html";
  }

  /**
   * Refuses an output directory that holds anything this job did not write: a mistyped path must
   * not mix audit tables into (or, on a rerun, delete parts of) someone else's data.
   *
   * @throws InvalidJobException naming the first foreign entry
   */
  public void checkOwnership() {
    Path dir = new Path(root);
    try {
      FileSystem fs = dir.getFileSystem(conf);
      if (!fs.exists(dir)) {
        return;
      }
      if (!fs.getFileStatus(dir).isDirectory()) {
        throw new InvalidJobException("Cannot write to " + root + ": it is a file, not a directory");
      }
      for (FileStatus entry : fs.listStatus(dir)) {
        String name = entry.getPath().getName();
        if (!OWN_ENTRIES.contains(name)) {
          throw new InvalidJobException("Cannot write to " + root + ": it holds '" + name + "', which this job did not"
              + " write; give output.path an empty directory or one this job wrote");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Proves the output directory can be written before any data is read, by creating and removing
   * a file where the run will stage its tables: a read-only mount, a missing permission or a path
   * below a regular file would otherwise fail only after the whole computation.
   *
   * @throws InvalidJobException saying why it cannot be written
   */
  public void checkWritable(String runId) {
    Path staging = new Path(root + "/_staging/" + runId);
    Path probe = new Path(staging, "_write_check");
    try {
      FileSystem fs = staging.getFileSystem(conf);
      Path blocking = fileAbove(fs, new Path(root));
      if (blocking != null) {
        throw new InvalidJobException("Cannot write to " + root + ": " + blocking + " is a file, not a directory");
      }
      boolean existed = fs.exists(new Path(root));
      // A second try: another run's tidying may remove an empty _staging between the two levels.
      if (!fs.mkdirs(staging) && !fs.mkdirs(staging)) {
        throw new IOException("could not create " + staging);
      }
      fs.create(probe, true).close();
      fs.delete(probe, false);
      clearStaging(runId);
      deleteIfEmpty(fs, new Path(root + "/_staging"));
      if (!existed) {
        deleteIfEmpty(fs, new Path(root));
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidJobException invalid) {
        throw invalid;
      }
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
          .orElse("");
      throw new InvalidJobException("Cannot write to " + root + ": " + reason, e);
    }
  }

  /** The nearest existing ancestor of {@code path} (or the path itself) when it is a file. */
  private static Path fileAbove(FileSystem fs, Path path) throws IOException {
    for (Path p = path; p != null; p = p.getParent()) {
      if (fs.exists(p)) {
        return fs.getFileStatus(p).isFile() ? p : null;
      }
    }
    return null;
  }

  /** Removes what an earlier, unfinished attempt of this run left in staging. */
  public void clearStaging(String runId) {
    delete(new Path(root + "/_staging/" + runId));
  }

  /**
   * Refuses, before any data is read, tables this job cannot write (see {@link TableSink#check}).
   *
   * @throws InvalidJobException saying why
   */
  public void checkTables() {
    tables.check();
  }

  /**
   * Makes a staged run visible: every table's rows of {@code runId} replaced with the staged ones,
   * table by table, {@code runs} last, then the manifest and the report.
   */
  public void commit(String runId, LocalDate runDate) {
    try {
      FileSystem fs = new Path(root).getFileSystem(conf);
      List<TableSink.Staged> staged = new ArrayList<>();
      for (String table : TABLES) {
        Path path = new Path(staged(runId, table));
        staged.add(new TableSink.Staged(table, fs.exists(path) ? path.toString() : null));
      }
      tables.commit(runId, runDate, staged);
      replaceFile(fs, stagedManifest(runId), manifest(runId));
      replaceFile(fs, stagedReport(runId), report(runId));
      fs.delete(new Path(root + "/_staging/" + runId), true);
      deleteIfEmpty(fs, new Path(root + "/_staging"));
      deleteIfEmpty(fs, new Path(root + "/_trash"));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit run " + runId + " to " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * The latest committed run of the same audit and method, other than {@code runId}, if any.
   * Another method's attributions measure something else, so its runs are no baseline for drift.
   * The model is not matched, by name or by SHA-256: a new model in an audit, retrained or renamed,
   * is exactly the change drift is there to show, and {@link Drift} says when the names differ.
   */
  public Optional<Drift.Compared> previousRun(String jobName, String method, String runId) {
    return latestRun(col("job_name").equalTo(jobName).and(col("method").equalTo(method))
        .and(col("run_id").notEqual(runId)));
  }

  /** A committed run, if it exists. */
  public Optional<Drift.Compared> committedRun(String runId) {
    return latestRun(col("run_id").equalTo(runId));
  }

  private Optional<Drift.Compared> latestRun(Column filter) {
    Optional<Dataset<Row>> runs = tables.read("runs");
    if (runs.isEmpty()) {
      return Optional.empty();
    }
    List<Row> latest = runs.get()
        .filter(filter)
        .orderBy(col("run_timestamp").desc(), col("run_id").desc())
        .select("run_id", "method", "model_name")
        .limit(1)
        .collectAsList();
    if (latest.isEmpty()) {
      return Optional.empty();
    }
    Row run = latest.get(0);
    return Optional.of(new Drift.Compared(run.getString(0), run.getString(1), run.getString(2)));
  }

  /** The overall importance rows of a committed run. */
  public List<ImportanceRow> overallImportance(String runId) {
    return tables.read("global_importance").orElseThrow()
        .filter(col("run_id").equalTo(runId).and(col("segment_column").isNull()))
        .collectAsList().stream()
        .map(AuditTables::importanceOf)
        .toList();
  }

  /**
   * The quality rows of a committed run, as {@code target -> measure -> measure}; empty when the
   * run has none (it predates the quality table, or nothing was measured).
   */
  public Map<Integer, Map<String, QualityMeasure>> quality(String runId) {
    Map<Integer, Map<String, QualityMeasure>> quality = new java.util.TreeMap<>();
    Optional<Dataset<Row>> table = tables.read("quality");
    if (table.isEmpty()) {
      return quality;
    }
    for (Row row : table.get().filter(col("run_id").equalTo(runId)).collectAsList()) {
      quality.computeIfAbsent(row.<Integer>getAs("target"), t -> new java.util.LinkedHashMap<>())
          .put(row.getAs("measure"), AuditTables.qualityOf(row));
    }
    return quality;
  }

  private void delete(Path path) {
    try {
      path.getFileSystem(conf).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
    }
  }

  private static void replaceFile(FileSystem fs, String staged, String committed) throws IOException {
    Path from = new Path(staged);
    if (fs.exists(from)) {
      fs.delete(new Path(committed), false);
      moveInto(fs, from, new Path(committed));
    }
  }

  static void moveInto(FileSystem fs, Path from, Path to) throws IOException {
    fs.mkdirs(to.getParent());
    if (!fs.rename(from, to)) {
      throw new IOException("rename of " + from + " to " + to + " failed");
    }
  }

  /**
   * Removes {@code dir} if it is empty. Another run on the same output may create or remove it at
   * the same moment (two runs at once both land), so a directory that is already gone, or that
   * the other run wrote into after it was listed, is left as it is: tidying, not a failure.
   */
  private static void deleteIfEmpty(FileSystem fs, Path dir) {
    try {
      if (fs.listStatus(dir).length == 0) {
        fs.delete(dir, false);
      }
    } catch (IOException e) {
      // Gone already, or no longer empty: either way another run is using the output.
    }
  }
}
