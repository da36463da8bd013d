package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.JobConfigLoader;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each executor picks its model call size by timing (see {@link CallCalibration}); on the sample
 * model the SHAP methods give every row the same values bit for bit at the smallest and the
 * largest size it can pick.
 */
class CallSizeInvarianceTest {

  static final int ROWS = 30;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> subset;

  @BeforeAll
  static void subset() {
    spark = SparkTestSession.get();
    subset = spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(ROWS));
  }

  private static double[] values(String name, String method, int callRows) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", dir.resolve(name + callRows).toString());
    all.put("method", method);
    all.put("execution.call_rows", String.valueOf(callRows));
    AttributionResult result = AttributionJob.builder(spark).config(JobConfigLoader.load(SampleShapTest.JOB_FILE, all))
        .input(subset).execute();
    assertEquals(callRows, result.manifest().execution().maxEvaluationRows());
    List<Row> rows = spark.read().parquet(result.store().table("per_row")).filter(col("run_id").equalTo(result.runId()))
        .drop("run_date", "run_id").orderBy("row_id").collectAsList();
    assertEquals(ROWS, rows.size());
    int width = rows.get(0).length();
    int[] fields = IntStream.concat(IntStream.of(3, 5, 6), IntStream.range(ResultSchema.FIXED_FIELDS, width)).toArray();
    return rows.stream().flatMapToDouble(r -> IntStream.of(fields).mapToDouble(r::getDouble)).toArray();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{name: kernel_shap, budget: 512}", "{name: gradient_shap}"})
  void theSmallestAndLargestCandidateSizesGiveTheSameValues(String method) {
    int smallest = CallCalibration.CANDIDATES[0];
    int largest = CallCalibration.CANDIDATES[CallCalibration.CANDIDATES.length - 1];
    assertArrayEquals(values("small", method, smallest), values("large", method, largest), method);
  }
}
