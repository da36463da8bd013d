package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.cli.AttributionCli;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled audits through the command line: runs append to a history, a rerun replaces its own
 * run completely, and the drift gate fails a changed model but not the same one.
 */
class AuditHistoryTest {

  static final String CHANGED_MODEL = "src/test/resources/models/lending_club_mlp_without_pricing.pt";
  @TempDir static Path dir;
  static SparkSession spark;
  static Path data;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    data = dir.resolve("loans.parquet");
    spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(600)).write().parquet(data.toString());
  }

  /** Runs the sample job file as a gated, segmented audit; returns the exit code. */
  static int audit(Path out, String runId, String model) {
    StringWriter err = new StringWriter();
    int code = AttributionCli.run(new String[] {
        "--job", SampleJob.JOB_FILE.toString(), "--run-id", runId, "--input", data.toString(),
        "--output", out.toString(), "--model", model, "--steps", "8", "--per-row",
        "--set", "segment_by=[term, verification_status]", "--set", "segment_min_rows=100",
        "--set", "drift={max_rank_disagreement: 0.02, max_significant_changes: 0}"},
        new PrintWriter(new StringWriter(), true), new PrintWriter(err, true));
    assertTrue(code == 0 || code == AttributionCli.EXIT_DRIFT, "exit " + code + ": " + err);
    return code;
  }

  static Dataset<Row> table(Path out, String name) {
    return spark.read().parquet(out.resolve(name).toString());
  }

  @Test
  void historyRerunAndDriftGate() throws Exception {
    Path out = dir.resolve("history");
    String model = SampleJob.MODEL.toString();
    assertEquals(0, audit(out, "audit-a", model), "the first run has nothing to drift from");
    assertEquals(0, audit(out, "audit-b", model), "the same model on the same data does not drift");

    List<Row> runs = table(out, "runs").orderBy("run_timestamp").collectAsList();
    assertEquals(List.of("audit-a", "audit-b"), runs.stream().map(r -> r.<String>getAs("run_id")).toList());
    assertEquals("audit-a", runs.get(1).getAs("compared_to_run"));
    assertEquals(1.0, runs.get(1).<Double>getAs("min_ndcg_at_k"), 1e-12);
    Dataset<Row> drift = table(out, "drift").filter(col("run_id").equalTo("audit-b"));
    assertEquals(22, drift.count());
    assertEquals(0, drift.filter(col("significant")).count());
    assertEquals(0, drift.filter(col("rank_change").notEqual(0)).count());

    long importanceRows = table(out, "global_importance").filter(col("run_id").equalTo("audit-b")).count();
    long perRowRows = table(out, "per_row").filter(col("run_id").equalTo("audit-b")).count();
    assertEquals(0, audit(out, "audit-b", model), "a rerun");
    assertEquals(2, table(out, "runs").count(), "a rerun replaces its run");
    assertEquals(1, table(out, "runs").filter(col("run_id").equalTo("audit-b")).count());
    assertEquals(importanceRows, table(out, "global_importance").filter(col("run_id").equalTo("audit-b")).count());
    assertEquals(perRowRows, table(out, "per_row").filter(col("run_id").equalTo("audit-b")).count());
    assertEquals(600, perRowRows);
    assertFalse(Files.exists(out.resolve("_staging")), "staging is cleaned up");

    assertEquals(AttributionCli.EXIT_DRIFT, audit(out, "audit-c", CHANGED_MODEL), "a model that ignores pricing drifts");
    Row changed = table(out, "runs").filter(col("run_id").equalTo("audit-c")).first();
    assertTrue(changed.<Boolean>getAs("drift_gate_failed"));
    assertEquals("audit-b", changed.getAs("compared_to_run"));
    Row intRate = table(out, "drift").filter(col("run_id").equalTo("audit-c").and(col("feature").equalTo("int_rate")))
        .first();
    assertTrue(intRate.<Boolean>getAs("significant"), "int_rate's importance collapsed");
    assertEquals(0.0, intRate.<Double>getAs("current_mean_abs_attribution"), 1e-12);
    assertTrue(Files.exists(out.resolve("manifests/audit-c.json")), "a gated run still writes everything");
  }

  @Test
  void segmentsGetTheirOwnRowsAndSmallOnesAreFlagged() {
    Path out = dir.resolve("segments");
    audit(out, "segments", SampleJob.MODEL.toString());
    Dataset<Row> rows = table(out, "global_importance").filter(col("run_id").equalTo("segments"));
    List<Row> segments = rows.filter(col("segment_column").isNotNull()).select("segment_column", "segment_value",
        "rows", "low_count").distinct().orderBy("segment_column", "segment_value").collectAsList();
    long overall = rows.filter(col("segment_column").isNull()).first().<Long>getAs("rows");
    assertEquals(600, overall);
    long termRows = segments.stream().filter(r -> r.getAs("segment_column").equals("term"))
        .mapToLong(r -> r.<Long>getAs("rows")).sum();
    assertEquals(overall, termRows, "the term segments partition the rows");
    for (Row segment : segments) {
      assertEquals(segment.<Long>getAs("rows") < 100, segment.<Boolean>getAs("low_count"), segment.toString());
    }
    assertTrue(rows.filter(col("low_count")).filter(col("rank").isNotNull()).isEmpty(), "low-count rows are unranked");
  }
}
