package org.attribution.job;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.aggregate.QualityStats;
import org.attribution.model.ModelCache;
import org.attribution.output.AuditTables;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole job on data-sample/ in local Spark, as scripts/run-local.sh runs it: one run, then
 * its three outputs are checked against each other and against the model file.
 */
class SampleJobEndToEndTest {

  @TempDir static Path dir;
  static SparkSession spark;
  static AttributionResult result;
  static Path output;

  @BeforeAll
  static void runSampleJob() {
    spark = SparkTestSession.get();
    output = dir.resolve("out");
    result = AttributionJob.builder(spark).config(SampleJob.config(output)).runId("sample-run").execute();
  }

  @Test
  void globalTableHasOneRowPerFeatureWithConsistentRanks() {
    Dataset<Row> global = spark.read().parquet(output.resolve("global_importance").toString());
    assertEquals(AuditTables.IMPORTANCE.asNullable().toDDL() + ",run_date DATE,run_id STRING",
        global.schema().asNullable().toDDL());
    List<Row> rows = global.orderBy("rank").collectAsList();
    assertEquals(SampleJob.FEATURES, rows.size());
    double previous = Double.POSITIVE_INFINITY;
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      assertEquals("sample-run", row.getAs("run_id"));
      assertEquals(1, (int) row.getAs("target"));
      assertEquals("bad", row.getAs("target_name"));
      assertEquals("integrated_gradients", row.getAs("method"));
      assertEquals((long) SampleJob.ROWS, (long) row.getAs("rows"));
      assertEquals(i + 1, (int) row.getAs("rank"));
      assertEquals(AuditTables.SCHEMA_VERSION, (int) row.getAs("schema_version"));
      assertEquals(SampleJob.DATA, row.getAs("dataset"));
      assertTrue(row.isNullAt(row.fieldIndex("segment_column")), "an overall row");
      double meanAbs = row.getAs("mean_abs_attribution");
      double mean = row.getAs("mean_attribution");
      assertTrue(meanAbs <= previous, "ranked by mean |attribution|");
      assertTrue(meanAbs >= Math.abs(mean) - 1e-15, "mean |a| >= |mean a|");
      previous = meanAbs;
    }
  }

  @Test
  void globalStatisticsEqualADirectComputationOverThePerRowTable() {
    Dataset<Row> perRow = spark.read().parquet(output.resolve("per_row").toString());
    for (ImportanceRow f : result.importance().overall(1)) {
      String column = "attr_" + f.feature();
      Row direct = perRow.agg(avg(abs(col(column))), avg(col(column))).first();
      assertEquals(direct.getDouble(0), f.meanAbsAttribution(), 1e-12 * Math.max(1, Math.abs(direct.getDouble(0))));
      assertEquals(direct.getDouble(1), f.meanAttribution(), 1e-12);
    }
  }

  @Test
  void perRowTableHasEveryRowAndFeature() {
    Dataset<Row> perRow = spark.read().parquet(output.resolve("per_row").toString()).drop("run_date", "run_id");
    List<String> expected = new ArrayList<>(List.of(
        "row_id", "target", "target_name", "prediction", "predicted_class", "reference", "completeness_gap"));
    result.manifest().features().forEach(f -> expected.add("attr_" + f));
    assertEquals(expected, List.of(perRow.columns()));
    assertEquals(SampleJob.ROWS, perRow.count());
    assertEquals(SampleJob.ROWS, perRow.select("row_id").distinct().count());
    assertEquals("bigint", perRow.schema().apply("row_id").dataType().simpleString());
    Row sums = perRow.agg(avg(col("prediction")), avg(col("reference"))).first();
    assertTrue(sums.getDouble(0) > 0 && sums.getDouble(0) < 1, "P(bad) is a probability");
  }

  @Test
  void gaussLegendreWithFiftyStepsIsCompleteToOnePartInAThousand() {
    QualityStats target = result.importance().quality().get(0).stats();
    assertTrue(target.meanAbsDelta() > 0.01, "the sample model's output moves away from the baseline");
    double relative = target.meanAbsGap() / target.meanAbsDelta();
    assertTrue(relative < 1e-3, "mean |gap| / mean |f(x) - f(baseline)| = " + relative);
  }

  @Test
  void manifestRecordsModelRowsTimingsAndQuality() throws Exception {
    JsonNode manifest = new ObjectMapper().readTree(output.resolve("manifests/sample-run.json").toFile());
    assertEquals("sample-run", manifest.get("run_id").asText());
    assertEquals(ModelCache.sha256Hex(Files.readAllBytes(SampleJob.MODEL)), manifest.at("/model/sha256").asText());
    assertEquals(SampleJob.ENCODED_WIDTH, manifest.at("/model/input_width").asInt());
    assertEquals(2, manifest.at("/model/output_width").asInt());
    assertEquals(SampleJob.ROWS, manifest.at("/rows/read").asLong());
    assertEquals(SampleJob.ROWS, manifest.at("/rows/explained").asLong());
    assertEquals(0, manifest.at("/rows/rejected").asLong());
    assertEquals(50, manifest.at("/config/method/steps").asInt());
    assertEquals("integrated_gradients", manifest.at("/config/method/name").asText());
    assertEquals("gauss_legendre", manifest.at("/config/method/rule").asText());
    assertTrue(manifest.at("/timings_ms/total").asLong() > 0);
    assertTrue(manifest.get("rows_per_second").asDouble() > 0);
    // Model calls are part of the attribute phase, on at most two task slots at once (local[2]).
    double modelSeconds = manifest.get("model_task_seconds").asDouble();
    assertTrue(modelSeconds > 0 && modelSeconds <= 2 * manifest.at("/timings_ms/attribute").asLong() / 1000.0,
        "model task-seconds " + modelSeconds);
    JsonNode completeness = manifest.get("completeness").get(0);
    assertEquals(result.importance().quality().get(0).stats().meanAbsGap(), completeness.get("mean_abs_gap").asDouble(), 0);
    assertTrue(completeness.get("max_abs_gap").asDouble() >= completeness.get("mean_abs_gap").asDouble());
    assertEquals(SampleJob.ENCODED_WIDTH, manifest.at("/execution/baseline").size());
  }

  /** With no row rejected the input is not read again for rejects, yet the table is there. */
  @Test
  void aRunWithoutRejectsWritesAnEmptyRejectsTableWithTheInputsColumns() {
    Dataset<Row> rejects = spark.read().parquet(result.store().table("rejects"));
    assertEquals(0, rejects.filter(col("run_id").equalTo("sample-run")).count());
    List<String> expected = new ArrayList<>(List.of(spark.read().parquet(SampleJob.DATA).columns()));
    expected.add("reject_reason");
    assertTrue(List.of(rejects.columns()).containsAll(expected), List.of(rejects.columns()).toString());
  }
}
