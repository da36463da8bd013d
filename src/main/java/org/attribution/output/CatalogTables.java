package org.attribution.output;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Date;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.attribution.config.InvalidJobException;

/**
 * The audit tables as tables of a table format (Iceberg, Delta) in a Spark catalog, whose commits
 * are atomic on any store: each table's rows of a run are replaced in one commit, by deleting the
 * rows of the run id and adding the staged ones, so a rerun leaves one copy and a run that dies
 * leaves every table's current snapshot as it was. Two runs committing at once both land: the
 * formats' optimistic concurrency retries a commit that raced another, and the two never touch
 * the same rows (each replaces only its own run id); a conflict the format gives up on is retried
 * here a few times.
 *
 * <p>Tables are created on first use with the staged schema plus {@code run_date} and
 * {@code run_id}, partitioned by both (a run's rows are whole files, so replacing them is a
 * metadata operation), and with the schema version as a table property. The per-row and rejects
 * tables follow the job's features and input columns, so a commit merges new columns into the
 * table's schema.
 */
abstract class CatalogTables implements TableSink {

  /** Commits that raced another and lost, beyond the format's own retries. */
  private static final int ATTEMPTS = 5;
  /**
   * How long a run waits for another's creation of a table that it has seen begin: on a busy
   * machine or a slow store, writing a table's first commit takes seconds.
   */
  private static final long CREATION_WAIT_MS = 120_000;

  protected final SparkSession spark;
  private final String prefix;

  /**
   * @param spark the session whose catalogs hold the tables
   * @param prefix what comes before each table's name, e.g. {@code audits.lending_club_}
   */
  CatalogTables(SparkSession spark, String prefix) {
    this.spark = spark;
    this.prefix = prefix;
  }

  /** The format, as {@code USING} names it. */
  abstract String provider();

  /** Whether the session has what this format needs; a message saying what is missing if not. */
  abstract Optional<String> missingFromSession();

  /** Whether a failure is a commit that lost a race with another one, so that trying again is safe. */
  abstract boolean isConflict(Throwable failure);

  /** Properties of a new table besides the schema version. */
  Map<String, String> properties() {
    return Map.of();
  }

  @Override
  public String sqlName(String table) {
    return prefix + table;
  }

  @Override
  public String location(String table) {
    return sqlName(table);
  }

  @Override
  public void check() {
    missingFromSession().ifPresent(missing -> {
      throw new InvalidJobException("Cannot write output.format " + provider() + ": " + missing);
    });
    String namespace = prefix == null || !prefix.contains(".") ? null : prefix.substring(0, prefix.lastIndexOf('.'));
    if (namespace != null) {
      try {
        spark.sql("SHOW TABLES IN " + namespace).limit(1).collectAsList();
      } catch (RuntimeException e) {
        throw new InvalidJobException("Cannot write tables named " + prefix + "*: namespace " + namespace
            + " cannot be listed (" + firstLine(e) + "); create it, or configure its catalog in the Spark settings", e);
      }
    }
    for (String table : RunStore.TABLES) {
      if (exists(table)) {
        checkVersion(table);
      }
    }
  }

  @Override
  public void commit(String runId, LocalDate runDate, List<Staged> tables) {
    for (Staged staged : tables) {
      if (staged.path() == null && !exists(staged.table())) {
        continue;
      }
      Dataset<Row> rows = staged.path() == null ? null : spark.read().parquet(staged.path())
          .withColumn("run_date", lit(Date.valueOf(runDate)))
          .withColumn("run_id", lit(runId));
      if (rows != null) {
        create(staged.table(), rows.schema());
      } else {
        // Nothing staged: an empty write still removes the rows an earlier attempt of this run left.
        rows = spark.table(sqlName(staged.table())).limit(0);
      }
      replace(staged.table(), rows, col("run_id").equalTo(runId));
    }
  }

  @Override
  public Optional<Dataset<Row>> read(String table) {
    return exists(table) ? Optional.of(spark.table(sqlName(table))) : Optional.empty();
  }

  /** Whether the table exists yet. */
  boolean exists(String table) {
    return spark.catalog().tableExists(sqlName(table));
  }

  private void checkVersion(String table) {
    String name = sqlName(table);
    List<Row> property = spark.sql("SHOW TBLPROPERTIES " + name)
        .filter(col("key").equalTo(SCHEMA_VERSION_PROPERTY)).collectAsList();
    if (property.isEmpty()) {
      throw new InvalidJobException("Cannot write to table " + name + ": it has no " + SCHEMA_VERSION_PROPERTY
          + " property, so this job did not create it; choose another output.table_prefix");
    }
    int version = Integer.parseInt(property.get(0).getString(1).trim());
    if (version > AuditTables.SCHEMA_VERSION) {
      throw new InvalidJobException("Cannot write to table " + name + ": its schema version is " + version
          + ", newer than this job's " + AuditTables.SCHEMA_VERSION + "; run a newer spark-attribution, or write to"
          + " another output.table_prefix");
    }
  }

  /**
   * Creates the table if it does not exist; another run creating it at the same moment is no
   * failure: the loser waits for the winner's table.
   */
  private void create(String table, StructType schema) {
    Map<String, String> properties = new LinkedHashMap<>(properties());
    properties.put(SCHEMA_VERSION_PROPERTY, Integer.toString(AuditTables.SCHEMA_VERSION));
    String ddl = "CREATE TABLE IF NOT EXISTS " + sqlName(table) + " (" + schema.asNullable().toDDL() + ") USING "
        + provider() + " PARTITIONED BY (run_date, run_id) TBLPROPERTIES ("
        + properties.entrySet().stream().map(p -> "'" + p.getKey() + "' = '" + p.getValue() + "'")
            .collect(Collectors.joining(", ")) + ")";
    long deadline = System.currentTimeMillis() + CREATION_WAIT_MS;
    for (int attempt = 1; !exists(table); attempt++) {
      Exception failure = null;
      try {
        spark.sql(ddl);
      } catch (Exception e) {
        // Not only RuntimeException: Spark's AnalysisException is a checked exception in Java, and
        // Delta threw one in CI while another run was creating the same table ("location is not
        // empty and also not a Delta table").
        failure = e;
      }
      if (exists(table)) {
        return;
      }
      // A creation another run has begun is waited for; anything else has a few attempts.
      boolean creating = beingCreated(table);
      if (attempt >= ATTEMPTS && !(creating && System.currentTimeMillis() < deadline)) {
        String why = creating
            ? "its location holds the start of a table with no commit after " + CREATION_WAIT_MS / 1000 + " s (a run"
                + " that died creating it?); if no run is writing it, remove " + location(table)
            : "it did not appear after " + ATTEMPTS + " attempts";
        throw new IllegalStateException("Cannot create table " + sqlName(table) + ": " + why, failure);
      }
      sleep(Math.min(attempt, ATTEMPTS));
    }
  }

  /**
   * Whether another run has begun creating the table and not yet committed it; false where the
   * format's catalog creates a table in one step.
   */
  boolean beingCreated(String table) {
    return false;
  }

  /** Replaces the rows matching {@code run} with {@code rows}, in one commit. */
  private void replace(String table, Dataset<Row> rows, Column run) {
    for (int attempt = 1; ; attempt++) {
      try {
        rows.writeTo(sqlName(table)).option("mergeSchema", "true").overwrite(run);
        return;
      } catch (Exception e) {
        if (attempt == ATTEMPTS || !isConflict(e)) {
          throw e instanceof RuntimeException r ? r : new IllegalStateException(
              "Cannot commit to table " + sqlName(table) + ": " + e.getMessage(), e);
        }
        sleep(attempt);
      }
    }
  }

  /** Backs off with jitter, so that two runs that collided do not collide again. */
  private static void sleep(int attempt) {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextLong(100L << attempt));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while retrying a commit", e);
    }
  }

  /** Whether {@code failure} or one of its causes is of a class named in {@code names}. */
  static boolean causedBy(Throwable failure, List<String> names) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      for (Class<?> c = t.getClass(); c != null; c = c.getSuperclass()) {
        if (names.contains(c.getName())) {
          return true;
        }
      }
    }
    return false;
  }

  static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().map(String::trim).filter(l -> !l.isEmpty()).findFirst().orElse(message);
  }
}
