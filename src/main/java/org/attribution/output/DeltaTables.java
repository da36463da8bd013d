package org.attribution.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * {@code output.format: delta}: Delta tables. With {@code output.table_prefix}, tables of that name
 * in the session's catalog (a Hive metastore, Unity, Glue); without, path tables in
 * {@code <output.path>/delta/<table>}, which need no catalog. Either way the session needs Delta's
 * SQL extension and catalog, which only a session being created can take: {@link #sessionSettings}
 * adds them when the job starts its own session.
 */
final class DeltaTables extends CatalogTables {

  static final String EXTENSION = "io.delta.sql.DeltaSparkSessionExtension";
  static final String CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog";

  private final String directory;

  private DeltaTables(SparkSession spark, String prefix, String directory) {
    super(spark, prefix);
    this.directory = directory;
  }

  /** Tables named {@code prefix<table>} in the session's catalogs. */
  static DeltaTables named(SparkSession spark, String prefix) {
    return new DeltaTables(spark, prefix, null);
  }

  /** Path tables under {@code root}. */
  static DeltaTables embedded(SparkSession spark, String root) {
    return new DeltaTables(spark, null, root + "/delta");
  }

  /** The extension and catalog, for a session about to start; settings it has already are kept. */
  static Map<String, String> sessionSettings(SparkConf conf) {
    String extensions = conf.get("spark.sql.extensions", "");
    return Map.of(
        "spark.sql.extensions", extensions.contains(EXTENSION) ? extensions
            : extensions.isEmpty() ? EXTENSION : extensions + "," + EXTENSION,
        "spark.sql.catalog.spark_catalog", conf.get("spark.sql.catalog.spark_catalog", CATALOG));
  }

  @Override
  public String sqlName(String table) {
    return directory == null ? super.sqlName(table) : "delta.`" + directory + "/" + table + "`";
  }

  @Override
  public String location(String table) {
    return directory == null ? super.location(table) : directory + "/" + table;
  }

  /**
   * A path that is no Delta table is an error to Spark's catalog, not a table that does not exist;
   * and a table exists once its first commit does, not when another run has only begun creating
   * it (its log directory comes first).
   */
  @Override
  boolean exists(String table) {
    return directory == null ? super.exists(table) : commits(table) > 0;
  }

  /**
   * A path table's location with no commit in its log yet: another run is writing its first
   * (it may not even have written the log directory, only the location's first files).
   */
  @Override
  boolean beingCreated(String table) {
    if (directory == null || commits(table) > 0) {
      return false;
    }
    Path location = new Path(location(table));
    try {
      return location.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(location);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + location + ": " + e.getMessage(), e);
    }
  }

  /** Commits in a path table's log; -1 without a log. */
  private int commits(String table) {
    Path log = new Path(location(table) + "/_delta_log");
    try {
      FileSystem fs = log.getFileSystem(spark.sparkContext().hadoopConfiguration());
      return fs.exists(log) ? fs.listStatus(log, path -> path.getName().endsWith(".json")).length : -1;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + log + ": " + e.getMessage(), e);
    }
  }

  @Override
  String provider() {
    return "delta";
  }

  /**
   * The extension is there when Spark parses Delta's own SQL; path tables also need Delta's
   * catalog in place of the session catalog.
   */
  @Override
  Optional<String> missingFromSession() {
    boolean extension;
    try {
      spark.sessionState().sqlParser().parsePlan("DESCRIBE HISTORY delta.`/check`");
      extension = true;
    } catch (Exception e) {
      extension = false;
    }
    boolean catalog = directory == null || spark.conf().get("spark.sql.catalog.spark_catalog", "").equals(CATALOG);
    return extension && catalog ? Optional.empty() : Optional.of("the Spark session lacks Delta's SQL extension or"
        + " catalog; start it with --conf spark.sql.extensions=" + EXTENSION + " --conf spark.sql.catalog.spark_catalog="
        + CATALOG + " and Delta's jars (target/table-formats/delta-*.jar; scripts/submit.sh adds all of this)");
  }

  @Override
  boolean isConflict(Throwable failure) {
    return causedBy(failure, List.of("io.delta.exceptions.DeltaConcurrentModificationException",
        "org.apache.spark.sql.delta.DeltaConcurrentModificationException"));
  }

}
