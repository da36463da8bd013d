package org.attribution.output;

import static org.apache.spark.sql.functions.col;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.Drift;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.config.InvalidJobException;
import org.attribution.quality.QualityMeasure;

/**
 * The output directory as a history of runs.
 *
 * <p>Every table lives in {@code <root>/<table>/run_date=<date>/run_id=<id>/}, so each run appends
 * its own partition and Spark, Hive or a BI tool reads the whole history as one table. A run
 * writes everything under {@code <root>/_staging/<run id>/} first and {@link #commit}s by
 * renaming: a run that dies before the commit leaves every table as it was, and a run with an id
 * that exists already replaces all of that run's partitions, in every table, with its own. The
 * {@code runs} table is renamed last, so a run listed there is complete. (Renames are atomic on
 * HDFS and local disks; on object stores they are copies, and the window is longer.)
 */
public final class RunStore {

  /** Tables in commit order: {@code runs} last, as the index of complete runs. */
  public static final List<String> TABLES = List.of("per_row", "rejects", "global_importance", "drift", "quality", "runs");
  /** Files kept per run, outside the tables. */
  static final List<String> FILES = List.of("manifests", "reports");

  /** Everything this job writes at the top of its output directory. */
  static final java.util.Set<String> OWN_ENTRIES = java.util.Set.of(
      "per_row", "rejects", "global_importance", "drift", "quality", "runs", "manifests", "reports", "_staging", "_trash");

  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,199}");

  private final String root;
  private final Configuration conf;

  /**
   * @param root the output directory (any Hadoop URI)
   * @param conf the Hadoop configuration
   */
  public RunStore(String root, Configuration conf) {
    this.root = root.replaceAll("/+$", "");
    this.conf = conf;
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

  /** Where a table of the whole history is. */
  public String table(String table) {
    return root + "/" + table;
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

  /** Where a committed run's partition of a table is. */
  public String partition(String table, LocalDate runDate, String runId) {
    return table(table) + "/run_date=" + runDate + "/run_id=" + runId;
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
      if (!fs.mkdirs(staging)) {
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
   * Makes a staged run visible: replaces every partition and file of {@code runId} with the staged
   * ones, table by table, {@code runs} last.
   */
  public void commit(String runId, LocalDate runDate) {
    try {
      FileSystem fs = new Path(root).getFileSystem(conf);
      Path trash = new Path(root + "/_trash/" + runId + "-" + System.nanoTime());
      for (String table : TABLES) {
        for (FileStatus old : glob(fs, table(table) + "/run_date=*/run_id=" + runId)) {
          moveInto(fs, old.getPath(), new Path(trash, table + "/" + old.getPath().getParent().getName()));
        }
        Path staged = new Path(staged(runId, table));
        if (fs.exists(staged)) {
          moveInto(fs, staged, new Path(partition(table, runDate, runId)));
        }
      }
      for (String kind : FILES) {
        Path target = new Path(kind.equals("manifests") ? manifest(runId) : report(runId));
        Path staged = new Path(kind.equals("manifests") ? stagedManifest(runId) : stagedReport(runId));
        if (fs.exists(staged)) {
          fs.delete(target, false);
          moveInto(fs, staged, target);
        }
      }
      fs.delete(trash, true);
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
  public Optional<Drift.Compared> previousRun(SparkSession spark, String jobName, String method, String runId) {
    return latestRun(spark, col("job_name").equalTo(jobName).and(col("method").equalTo(method))
        .and(col("run_id").notEqual(runId)));
  }

  /** A committed run, if it exists. */
  public Optional<Drift.Compared> committedRun(SparkSession spark, String runId) {
    return latestRun(spark, col("run_id").equalTo(runId));
  }

  private Optional<Drift.Compared> latestRun(SparkSession spark, Column filter) {
    if (!exists(table("runs"))) {
      return Optional.empty();
    }
    List<Row> latest = spark.read().parquet(table("runs"))
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
  public List<ImportanceRow> overallImportance(SparkSession spark, String runId) {
    return spark.read().parquet(table("global_importance"))
        .filter(col("run_id").equalTo(runId).and(col("segment_column").isNull()))
        .collectAsList().stream()
        .map(AuditTables::importanceOf)
        .toList();
  }

  /**
   * The quality rows of a committed run, as {@code target -> measure -> measure}; empty when the
   * run has none (it predates the quality table, or nothing was measured).
   */
  public Map<Integer, Map<String, QualityMeasure>> quality(SparkSession spark, String runId) {
    Map<Integer, Map<String, QualityMeasure>> quality = new java.util.TreeMap<>();
    if (!exists(table("quality"))) {
      return quality;
    }
    for (Row row : spark.read().parquet(table("quality")).filter(col("run_id").equalTo(runId)).collectAsList()) {
      quality.computeIfAbsent(row.<Integer>getAs("target"), t -> new java.util.LinkedHashMap<>())
          .put(row.getAs("measure"), AuditTables.qualityOf(row));
    }
    return quality;
  }

  private boolean exists(String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(conf).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void delete(Path path) {
    try {
      path.getFileSystem(conf).delete(path, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
    }
  }

  private static FileStatus[] glob(FileSystem fs, String pattern) throws IOException {
    FileStatus[] found = fs.globStatus(new Path(pattern));
    return found == null ? new FileStatus[0] : found;
  }

  private static void moveInto(FileSystem fs, Path from, Path to) throws IOException {
    fs.mkdirs(to.getParent());
    if (!fs.rename(from, to)) {
      throw new IOException("rename of " + from + " to " + to + " failed");
    }
  }

  private static void deleteIfEmpty(FileSystem fs, Path dir) throws IOException {
    if (fs.exists(dir) && fs.listStatus(dir).length == 0) {
      fs.delete(dir, false);
    }
  }
}
