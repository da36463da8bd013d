package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.JobConfig;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults change nothing: a task that fails part-way and is retried gives byte-for-byte the same
 * results as a clean run, and a run that dies leaves the previous state of every table.
 */
class ReliabilityTest {

  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> subset;

  @BeforeAll
  static void subset() {
    spark = SparkTestSession.get();
    subset = spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(240));
  }

  @AfterEach
  void noInjection() {
    spark.conf().unset(FaultInjection.PARTITION);
    spark.conf().unset(FaultInjection.ATTEMPTS);
  }

  static AttributionResult run(Path out, String runId, String method, String... overrides) {
    List<String> all = new ArrayList<>(List.of("method", method.equals("integrated_gradients")
            ? "{name: integrated_gradients, steps: 16}" : "{name: kernel_shap, budget: 64}",
        "background", method.equals("integrated_gradients") ? "" : "{source: sample, size: 5}",
        "features.groups", method.equals("integrated_gradients") ? "" : "{open_il: [open_il_6m, open_il_12m, open_il_24m]}",
        "input.partitions", "3", "execution.batch_rows", "16"));
    all.addAll(List.of(overrides));
    JobConfig config = SampleJob.config(out, all.toArray(new String[0]));
    return AttributionJob.builder(spark).config(config).input(subset).runId(runId).execute();
  }

  static List<Row> table(Path out, String table, String runId, String... order) {
    return spark.read().parquet(out.resolve(table).toString()).filter(col("run_id").equalTo(runId))
        .drop("run_timestamp").orderBy(order[0], java.util.Arrays.copyOfRange(order, 1, order.length))
        .collectAsList();
  }

  @ParameterizedTest
  @ValueSource(strings = {"integrated_gradients", "kernel_shap"})
  void aRetriedTaskChangesNoNumber(String method) {
    Path clean = dir.resolve("clean-" + method);
    Path faulty = dir.resolve("faulty-" + method);
    run(clean, "r1", method);
    spark.conf().set(FaultInjection.PARTITION, "1");
    run(faulty, "r1", method);
    assertEquals(table(clean, "per_row", "r1", "row_id"), table(faulty, "per_row", "r1", "row_id"),
        "per-row attributions, byte for byte");
    assertEquals(table(clean, "global_importance", "r1", "segment_column", "feature"),
        table(faulty, "global_importance", "r1", "segment_column", "feature"), "global importance");
  }

  /** Without the per-row table tasks hand back statistics, and a retried task's count once. */
  @Test
  void aRetriedTaskCountsOnceWithoutThePerRowTable() {
    Path clean = dir.resolve("clean-statistics");
    Path faulty = dir.resolve("faulty-statistics");
    AttributionResult expected = run(clean, "r1", "integrated_gradients", "output.per_row", "false");
    spark.conf().set(FaultInjection.PARTITION, "1");
    AttributionResult retried = run(faulty, "r1", "integrated_gradients", "output.per_row", "false");
    assertEquals(expected.manifest().rows(), retried.manifest().rows());
    assertEquals(expected.importance(), retried.importance());
    assertEquals(table(clean, "global_importance", "r1", "segment_column", "feature"),
        table(faulty, "global_importance", "r1", "segment_column", "feature"), "global importance");
  }

  @Test
  void aRunThatDiesLeavesEveryTableAsItWas() throws Exception {
    String method = "integrated_gradients";
    Path out = dir.resolve("dies");
    run(out, "monday", method);
    List<Row> runsBefore = spark.read().parquet(out.resolve("runs").toString()).collectAsList();
    long importanceBefore = spark.read().parquet(out.resolve("global_importance").toString()).count();

    spark.conf().set(FaultInjection.PARTITION, "2");
    spark.conf().set(FaultInjection.ATTEMPTS, "100");
    SparkException e = assertThrows(SparkException.class, () -> run(out, "tuesday", method));
    assertTrue(e.getMessage().contains("Injected failure in partition 2"), e.getMessage());
    assertEquals(runsBefore, spark.read().parquet(out.resolve("runs").toString()).collectAsList());
    assertEquals(importanceBefore, spark.read().parquet(out.resolve("global_importance").toString()).count());
    for (String table : List.of("per_row", "global_importance", "runs")) {
      assertTrue(spark.read().parquet(out.resolve(table).toString()).filter(col("run_id").equalTo("tuesday"))
          .isEmpty(), table + " has nothing of the run that died");
    }

    noInjection();
    run(out, "tuesday", method);
    assertEquals(2, spark.read().parquet(out.resolve("runs").toString()).count());
    assertEquals(240, spark.read().parquet(out.resolve("per_row").toString()).filter(col("run_id").equalTo("tuesday"))
        .count(), "one copy of the rerun");
    assertTrue(Files.notExists(out.resolve("_staging")));
  }
}
