package org.attribution.output;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;

/**
 * {@code output.format: iceberg}: the tables in an Iceberg catalog. With {@code output.table_prefix},
 * in the catalog the user configured (Hive metastore, Glue, REST, ...); without, in a Hadoop catalog
 * in {@code <output.path>/iceberg/}, which needs no server (and suits one writer at a time: its
 * commits are atomic only where renames are, and its lock is within one JVM).
 */
final class IcebergTables extends CatalogTables {

  static final String CATALOG_CLASS = "org.apache.iceberg.spark.SparkCatalog";
  private static final String NAMESPACE = "audit";

  private final String warehouse;

  private IcebergTables(SparkSession spark, String prefix, String warehouse) {
    super(spark, prefix);
    this.warehouse = warehouse;
  }

  /** Tables named {@code prefix<table>} in the session's catalogs. */
  static IcebergTables named(SparkSession spark, String prefix) {
    return new IcebergTables(spark, prefix, null);
  }

  /**
   * Tables in a Hadoop catalog under {@code root}. The catalog's name follows the directory:
   * Spark keeps a catalog once loaded, so two output directories in one session need two names.
   */
  static IcebergTables embedded(SparkSession spark, String root) {
    String warehouse = root + "/iceberg";
    String catalog = "attribution_" + Integer.toHexString(warehouse.hashCode());
    if (loadable()) {
      spark.conf().set("spark.sql.catalog." + catalog, CATALOG_CLASS);
      spark.conf().set("spark.sql.catalog." + catalog + ".type", "hadoop");
      spark.conf().set("spark.sql.catalog." + catalog + ".warehouse", warehouse);
    }
    return new IcebergTables(spark, catalog + "." + NAMESPACE + ".", warehouse);
  }

  @Override
  String provider() {
    return "iceberg";
  }

  @Override
  Optional<String> missingFromSession() {
    return loadable() ? Optional.empty() : Optional.of("Iceberg's Spark runtime is not on the class path; add"
        + " target/table-formats/iceberg-spark-runtime-*.jar with --jars (scripts/submit.sh does), or use the"
        + " platform's own Iceberg");
  }

  @Override
  boolean isConflict(Throwable failure) {
    return causedBy(failure, List.of("org.apache.iceberg.exceptions.CommitFailedException"));
  }

  /**
   * Accepting any schema lets a commit add the per-row table's new feature columns; no
   * distribution, since a run's rows all go to one partition and a shuffle would send them to one task.
   */
  @Override
  Map<String, String> properties() {
    return Map.of("format-version", "2", "write.spark.accept-any-schema", "true", "write.distribution-mode", "none");
  }

  @Override
  public String location(String table) {
    return warehouse == null ? super.location(table) : warehouse + "/" + NAMESPACE + "/" + table;
  }

  @Override
  public void check() {
    if (warehouse != null && loadable()) {
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + sqlName("").replaceAll("\\.$", ""));
    }
    super.check();
  }


  private static boolean loadable() {
    try {
      Class.forName(CATALOG_CLASS, false, IcebergTables.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }
}
