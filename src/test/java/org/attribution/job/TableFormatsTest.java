package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.InvalidJobException;
import org.attribution.output.RunStore;
import org.attribution.output.TableSink;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The audit tables as Iceberg and Delta tables (embedded: a Hadoop catalog and path tables in a
 * temporary directory) hold what the Parquet layout holds, value for value, and keep its
 * guarantees with the formats' own commits: a run that dies changes no table's snapshot, a rerun
 * leaves one copy, two runs at once both land, and a newer schema is refused.
 */
class TableFormatsTest {

  /** What differs between two runs of the same rows: when they ran and how long they took. */
  private static final List<String> VOLATILE = List.of("run_timestamp", "finished_at", "duration_ms",
      "rows_per_second", "manifest_json");

  @TempDir static Path dir;
  static SparkSession spark;
  /** The Parquet layout after the runs each format makes. */
  static AttributionResult parquet;

  @BeforeAll
  static void parquetLayout() {
    spark = SparkTestSession.get();
    ReliabilityTest.subset();
    run(dir.resolve("layout-parquet"), "parquet", "monday", "output.per_row", "true");
    parquet = run(dir.resolve("layout-parquet"), "parquet", "tuesday", "output.per_row", "true");
  }

  @AfterEach
  void noInjection() {
    spark.conf().unset(FaultInjection.PARTITION);
    spark.conf().unset(FaultInjection.ATTEMPTS);
  }

  static AttributionResult run(Path out, String format, String runId, String... overrides) {
    String[] all = new String[overrides.length + 2];
    all[0] = "output.format";
    all[1] = format;
    System.arraycopy(overrides, 0, all, 2, overrides.length);
    return ReliabilityTest.run(out, runId, "integrated_gradients", all);
  }

  /** A table's rows of every run, without what differs between runs, in one order. */
  static List<String> rows(AttributionResult result, String table) {
    Dataset<Row> rows = result.store().read(table).orElseThrow();
    String[] columns = Arrays.stream(rows.columns()).filter(c -> !VOLATILE.contains(c)).sorted()
        .toArray(String[]::new);
    return rows.selectExpr(columns).collectAsList().stream().map(Row::toString).sorted().toList();
  }

  /** Each table's current snapshot (Iceberg) or version (Delta). */
  static Map<String, Object> versions(AttributionResult result, String format) {
    return RunStore.TABLES.stream().filter(t -> result.store().read(t).isPresent())
        .collect(Collectors.toMap(t -> t, t -> {
          String name = result.store().sqlName(t);
          return format.equals("iceberg")
              ? spark.sql("SELECT max(committed_at), count(*) FROM " + name + ".snapshots").first().toString()
              : spark.sql("DESCRIBE HISTORY " + name).agg(org.apache.spark.sql.functions.max("version")).first().get(0);
        }));
  }

  @ParameterizedTest
  @ValueSource(strings = {"iceberg", "delta"})
  void theTablesHoldWhatTheParquetLayoutHoldsAndARerunLeavesOneCopy(String format) {
    Path out = dir.resolve("layout-" + format);
    AttributionResult actual = null;
    // Two runs, so that the second has a drift table against the first; then the second again.
    for (String runId : List.of("monday", "tuesday", "tuesday")) {
      actual = run(out, format, runId, "output.per_row", "true");
    }
    assertTrue(Files.isDirectory(out.resolve(format)), "embedded tables under output.path/" + format);
    for (String table : RunStore.TABLES) {
      List<String> want = rows(parquet, table);
      assertTrue(!want.isEmpty() || table.equals("rejects"), table + " has rows");
      assertEquals(want, rows(actual, table), table + ", value for value");
    }
    assertEquals(List.of("monday", "tuesday"), runIds(actual, "runs"));
    assertTrue(Files.isRegularFile(out.resolve("manifests/tuesday.json")));
    assertTrue(Files.isRegularFile(out.resolve("reports/tuesday.html")));
    assertTrue(Files.notExists(out.resolve("_staging")));
    assertEquals(actual.store().table("runs"), actual.manifest().outputs().get("runs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"iceberg", "delta"})
  void aRunThatDiesChangesNoSnapshotAndANewerSchemaIsRefused(String format) {
    Path out = dir.resolve("dies-" + format);
    AttributionResult monday = run(out, format, "monday", "output.per_row", "true");
    Map<String, Object> before = versions(monday, format);
    List<String> runsBefore = rows(monday, "runs");

    spark.conf().set(FaultInjection.PARTITION, "2");
    spark.conf().set(FaultInjection.ATTEMPTS, "100");
    SparkException e = assertThrows(SparkException.class, () -> run(out, format, "tuesday", "output.per_row", "true"));
    assertTrue(e.getMessage().contains("Injected failure in partition 2"), e.getMessage());
    assertEquals(before, versions(monday, format), "every table's snapshot as it was");
    assertEquals(runsBefore, rows(monday, "runs"));
    noInjection();

    String name = monday.store().sqlName("global_importance");
    spark.sql("ALTER TABLE " + name + " SET TBLPROPERTIES ('" + TableSink.SCHEMA_VERSION_PROPERTY + "' = '99')");
    InvalidJobException newer = assertThrows(InvalidJobException.class, () -> run(out, format, "tuesday"));
    assertEquals("Cannot write to table " + name + ": its schema version is 99, newer than this job's 2; run a"
        + " newer spark-attribution, or write to another output.table_prefix", newer.getMessage());
    assertEquals(List.of("monday"), runIds(monday, "runs"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"iceberg", "delta"})
  void twoRunsAtOnceBothLand(String format) {
    Path out = dir.resolve("concurrent-" + format);
    // Both create the tables too: neither has been written yet.
    CompletableFuture<AttributionResult> first = CompletableFuture.supplyAsync(
        () -> run(out, format, "first", "output.per_row", "true"));
    CompletableFuture<AttributionResult> second = CompletableFuture.supplyAsync(
        () -> run(out, format, "second", "output.per_row", "true"));
    AttributionResult result = first.join();
    second.join();
    assertEquals(List.of("first", "second"), runIds(result, "runs"));
    for (String runId : List.of("first", "second")) {
      assertEquals(240, result.store().read("per_row").orElseThrow().filter(col("run_id").equalTo(runId)).count(),
          runId + "'s rows");
      assertTrue(result.store().read("global_importance").orElseThrow().filter(col("run_id").equalTo(runId)).count()
          > 0, runId + "'s importance");
    }
  }

  private static List<String> runIds(AttributionResult result, String table) {
    return result.store().read(table).orElseThrow().select("run_id").distinct().orderBy("run_id").collectAsList()
        .stream().map(r -> r.getString(0)).toList();
  }
}
