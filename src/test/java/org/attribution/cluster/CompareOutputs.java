package org.attribution.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Compares the tables of two output directories value for value, leaving out only what differs
 * from run to run by design; run by {@code scripts/cluster-test.sh} on the test class path.
 *
 * <p>Usage: {@code CompareOutputs NAME EXPECTED_DIR ACTUAL_DIR [NAME EXPECTED_DIR ACTUAL_DIR ...]}.
 * Prints one {@code PASS} or {@code FAIL} line per comparison, with the first difference, and
 * exits 1 when any comparison failed. Every table (a directory of Parquet files, or a Delta table) must be in both
 * directories; each is read with Spark, the {@link #RUN_SPECIFIC} columns dropped, its rows sorted
 * by every remaining column, and the rows compared value by value with {@link Objects#deepEquals},
 * which for doubles means the same bits.
 */
public final class CompareOutputs {

  /**
   * What a rerun of the same job on the same data changes: the run's id and date (partition
   * columns), when it started and finished, how long it took and how fast it went, the manifest
   * (which holds all of those and the Spark master), and the id of the run drift compared with.
   */
  static final Set<String> RUN_SPECIFIC = Set.of("run_id", "run_date", "run_timestamp", "finished_at", "duration_ms",
      "rows_per_second", "manifest_json", "compared_to_run");

  /** Not tables: the manifests and reports are files named by run id; staging is empty after a run. */
  private static final Set<String> NOT_TABLES = Set.of("manifests", "reports", "_staging");

  private CompareOutputs() {}

  /** Compares each (name, expected, actual) triple in {@code args}; see the class comment. */
  public static void main(String[] args) throws IOException {
    if (args.length == 0 || args.length % 3 != 0) {
      System.err.println("Usage: CompareOutputs NAME EXPECTED_DIR ACTUAL_DIR [NAME EXPECTED_DIR ACTUAL_DIR ...]");
      System.exit(2);
    }
    // Delta's extension and catalog, for the Delta tables a run with output.format=delta writes.
    SparkSession spark = SparkSession.builder().master("local[1]").appName("compare-outputs")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .getOrCreate();
    boolean allSame = true;
    try {
      for (int i = 0; i < args.length; i += 3) {
        String difference = compare(spark, Path.of(args[i + 1]), Path.of(args[i + 2]));
        allSame &= difference.startsWith("same");
        System.out.printf("%s %s: %s (%s against %s)%n", difference.startsWith("same") ? "PASS" : "FAIL", args[i],
            difference, args[i + 2], args[i + 1]);
      }
    } finally {
      spark.stop();
    }
    System.exit(allSame ? 0 : 1);
  }

  /** "same ..." with what was compared, or the first difference. */
  static String compare(SparkSession spark, Path expected, Path actual) throws IOException {
    Set<String> tables = tables(expected);
    if (!tables.equals(tables(actual))) {
      return "different tables: " + tables + " against " + tables(actual);
    }
    List<String> counts = new ArrayList<>();
    for (String table : tables) {
      Dataset<Row> want = read(spark, expected.resolve(table));
      Dataset<Row> got = read(spark, actual.resolve(table));
      if (!Arrays.equals(want.columns(), got.columns())) {
        return table + ": different columns: " + Arrays.toString(want.columns()) + " against "
            + Arrays.toString(got.columns());
      }
      List<Row> wantRows = sorted(want);
      List<Row> gotRows = sorted(got);
      for (int r = 0; r < Math.min(wantRows.size(), gotRows.size()); r++) {
        String difference = difference(want.columns(), wantRows.get(r), gotRows.get(r));
        if (difference != null) {
          return table + ": row " + r + " (in sorted order), " + difference;
        }
      }
      if (wantRows.size() != gotRows.size()) {
        return table + ": " + wantRows.size() + " rows against " + gotRows.size();
      }
      counts.add(table + " " + wantRows.size());
    }
    return "same values, run-specific columns aside, in " + String.join(", ", counts);
  }

  private static Set<String> tables(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString())
          .filter(name -> !NOT_TABLES.contains(name) && !name.startsWith("."))
          .collect(TreeSet::new, Set::add, Set::addAll);
    }
  }

  /** A directory of Parquet files, or a Delta table (which has no data file when it has no rows). */
  private static Dataset<Row> read(SparkSession spark, Path table) {
    Dataset<Row> rows = Files.isDirectory(table.resolve("_delta_log"))
        ? spark.read().format("delta").load(table.toString()) : spark.read().parquet(table.toString());
    return rows.drop(RUN_SPECIFIC.toArray(new String[0]));
  }

  private static List<Row> sorted(Dataset<Row> rows) {
    return rows.orderBy(Arrays.stream(rows.columns()).map(functions::col).toArray(Column[]::new)).collectAsList();
  }

  /**
   * The first column whose values differ, or null. Not {@link Row#equals}, which takes 0.0 and
   * -0.0 as equal: {@link Double#equals} compares bits.
   */
  private static String difference(String[] columns, Row want, Row got) {
    for (int c = 0; c < columns.length; c++) {
      if (!Objects.deepEquals(want.get(c), got.get(c))) {
        return "column " + columns[c] + ": " + describe(want.get(c)) + " against " + describe(got.get(c));
      }
    }
    return null;
  }

  private static String describe(Object value) {
    return value instanceof Double d ? d + " (bits " + Long.toHexString(Double.doubleToRawLongBits(d)) + ")"
        : String.valueOf(value);
  }
}
