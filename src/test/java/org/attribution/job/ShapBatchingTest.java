package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.JobConfigLoader;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * On the sample model, a SHAP method's value for a row does not depend on how its evaluations are
 * cut into model calls: Gradient SHAP packs several rows' points into one call, and each executor
 * picks its call size by timing ({@link CallCalibration}).
 */
class ShapBatchingTest {

  static final int ROWS = 300;
  /** 50 samples and x itself: 51 points a row. */
  static final int POINTS_PER_ROW = 51;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> subset;

  @BeforeAll
  static void subset() {
    spark = SparkTestSession.get();
    subset = spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(ROWS));
  }

  /** Every value of every row of the SHAP job file's run on the first {@code rows} rows. */
  private static double[] values(String name, int rows, String method, String... overrides) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", dir.resolve(name).toString());
    all.put("method", method);
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    AttributionResult result = AttributionJob.builder(spark).config(JobConfigLoader.load(SampleShapTest.JOB_FILE, all))
        .input(subset.filter(col("loan_id").leq(rows))).execute();
    List<Row> perRow = spark.read().parquet(result.store().table("per_row"))
        .filter(col("run_id").equalTo(result.runId())).drop("run_date", "run_id").orderBy("row_id").collectAsList();
    assertEquals(rows, perRow.size());
    return InvarianceTest.values(perRow);
  }

  @Test
  void aGradientShapRowIsTheSameAloneInItsCallOrPackedWithOthers() {
    String method = "{name: gradient_shap, samples: 50}";
    // One row per batch and per call: every call holds exactly one row's points.
    double[] alone = values("alone", ROWS, method, "input.partitions", "1", "execution.batch_rows", "1",
        "execution.call_rows", String.valueOf(POINTS_PER_ROW));
    // Calls of the size measured fastest, of many rows each; 37-row calls, which split rows
    // across calls at a different point in each; batches of 7 rows, which end in short calls.
    assertArrayEquals(alone, values("packed", ROWS, method, "input.partitions", "2"), "packed");
    assertArrayEquals(alone, values("split", ROWS, method, "input.partitions", "4", "execution.call_rows", "37"),
        "37-row calls");
    assertArrayEquals(alone, values("small-batches", ROWS, method, "input.partitions", "3",
        "execution.batch_rows", "7"), "batches of 7 rows");
  }

  @ParameterizedTest
  @ValueSource(strings = {"{name: kernel_shap, budget: 512}", "{name: gradient_shap}"})
  void theSmallestAndLargestCallSizeAnExecutorCanPickGiveTheSameValues(String method) {
    int smallest = CallCalibration.CANDIDATES[0];
    int largest = CallCalibration.CANDIDATES[CallCalibration.CANDIDATES.length - 1];
    String name = method.replaceAll("\\W", "");
    assertArrayEquals(values(name + "-small", 30, method, "execution.call_rows", String.valueOf(smallest)),
        values(name + "-large", 30, method, "execution.call_rows", String.valueOf(largest)), method);
  }
}
