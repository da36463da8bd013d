package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.cli.AttributionCli;
import org.attribution.output.ManifestWriter;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One audit explained by two methods into one output directory: {@code previous} compares each
 * run only with the same method's runs, and an explicit comparison across methods warns and
 * leaves the gate alone, although it finds significant changes that would fail it. A model of
 * another name is compared and gated, with a warning.
 */
class CrossMethodDriftTest {

  static final String WARNING = "Run ig-1 used integrated_gradients, this run kernel_shap: attributions of different"
      + " methods measure different things, so this drift is for information only and the drift gate is not applied";

  @TempDir static Path dir;
  static SparkSession spark;
  static Path data;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    data = dir.resolve("loans.parquet");
    spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(200)).write().parquet(data.toString());
  }

  record Output(int code, String out, String err) {}

  /** Runs the sample audit, gated so that any significant change fails it, with extra options. */
  static Output audit(Path out, String runId, String... options) {
    List<String> args = new ArrayList<>(List.of("--job", SampleJob.JOB_FILE.toString(), "--run-id", runId,
        "--input", data.toString(), "--output", out.toString(), "--steps", "8",
        "--set", "drift={max_rank_disagreement: 0.0, max_significant_changes: 0}"));
    args.addAll(List.of(options));
    StringWriter stdout = new StringWriter();
    StringWriter stderr = new StringWriter();
    int code = AttributionCli.run(args.toArray(String[]::new), new PrintWriter(stdout, true),
        new PrintWriter(stderr, true));
    return new Output(code, stdout.toString(), stderr.toString());
  }

  /** Kernel SHAP instead of the job file's Integrated Gradients, small enough for a test. */
  static final String[] KERNEL_SHAP = {"--set", "method={name: kernel_shap, budget: 64}",
      "--set", "background={source: sample, size: 10}"};

  static Row runRow(Path out, String runId) {
    return spark.read().parquet(out.resolve("runs").toString()).filter(col("run_id").equalTo(runId)).first();
  }

  @Test
  void previousSkipsOtherMethodsAndAnExplicitComparisonAcrossMethodsWarnsWithoutGating() throws Exception {
    Path out = dir.resolve("audit");
    assertEquals(0, audit(out, "ig-1").code());
    Output shap = audit(out, "shap-1", KERNEL_SHAP);
    assertEquals(0, shap.code(), shap.err());
    assertFalse(shap.out().contains("Drift against"), "no earlier Kernel SHAP run: " + shap.out());
    assertNull(runRow(out, "shap-1").getAs("compared_to_run"));

    String[] acrossMethods = {KERNEL_SHAP[0], KERNEL_SHAP[1], KERNEL_SHAP[2], KERNEL_SHAP[3],
        "--set", "drift.compare_to=ig-1"};
    Output across = audit(out, "shap-2", acrossMethods);
    assertEquals(0, across.code(), "the gate is not applied across methods: " + across.err());
    assertTrue(across.out().contains(" (gate not applied)\n  Warning: " + WARNING + "\n"), across.out());
    Row row = runRow(out, "shap-2");
    assertEquals("ig-1", row.getAs("compared_to_run"));
    assertTrue(row.<Integer>getAs("significant_changes") > 0, "changes that would have failed the gate");
    assertFalse(row.<Boolean>getAs("drift_gate_failed"));
    JsonNode drift = ManifestWriter.json().readTree(out.resolve("manifests/shap-2.json").toFile()).get("drift");
    assertEquals(WARNING, drift.get("warning").asText());
    assertTrue(drift.get("gate_skipped").asBoolean());
    assertFalse(drift.get("gate_failed").asBoolean());
    String report = Files.readString(out.resolve("reports/shap-2.html"));
    assertTrue(report.contains("<p class=\"alert\">" + WARNING + ".</p>"));
    assertTrue(report.contains("<div class=\"stat-value\">Not applied</div>"));

    Output ig = audit(out, "ig-2");
    assertEquals(0, ig.code(), ig.err());
    assertTrue(ig.out().contains("Drift against run ig-1: 0 significant changes"), ig.out());
    assertFalse(ig.out().contains("Warning"), ig.out());
    assertEquals("ig-1", runRow(out, "ig-2").getAs("compared_to_run"), "the Kernel SHAP runs are later, but skipped");

    Output otherModel = audit(out, "ig-3", "--model", AuditHistoryTest.CHANGED_MODEL);
    assertEquals(AttributionCli.EXIT_DRIFT, otherModel.code(), "another model of the same method is gated");
    assertTrue(otherModel.out().contains(" (gate FAILED)\n  Warning: Run ig-2 explained model lending_club_mlp.pt,"
        + " this run lending_club_mlp_without_pricing.pt: this drift compares two models, and the drift gate applies\n"),
        otherModel.out());
    assertEquals("ig-2", runRow(out, "ig-3").getAs("compared_to_run"));
  }
}
