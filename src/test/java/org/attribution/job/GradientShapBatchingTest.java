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
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient SHAP packs several rows' points into one gradient call; on the sample model a row's
 * result is the same bit for bit whether its call holds it alone or with other rows, whatever the
 * partitioning, batch size and call size.
 */
class GradientShapBatchingTest {

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

  private static List<Row> perRow(String name, String... overrides) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", dir.resolve(name).toString());
    all.put("method", "{name: gradient_shap, samples: 50}");
    all.put("background", "{source: kmeans, k: 10}");
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    JobConfig config = JobConfigLoader.load(SampleShapTest.JOB_FILE, all);
    AttributionResult result = AttributionJob.builder(spark).config(config).input(subset).execute();
    return spark.read().parquet(result.store().table("per_row")).filter(col("run_id").equalTo(result.runId()))
        .drop("run_date", "run_id").orderBy("row_id").collectAsList();
  }

  /** f(x), base value, gap, every attribution and every standard error of every row. */
  private static double[] values(List<Row> rows) {
    int width = rows.get(0).length();
    int[] fields = IntStream.concat(IntStream.of(3, 5, 6), IntStream.range(ResultSchema.FIXED_FIELDS, width)).toArray();
    return rows.stream().flatMapToDouble(r -> IntStream.of(fields).mapToDouble(r::getDouble)).toArray();
  }

  @Test
  void aRowsResultIsTheSameAloneInItsCallOrPackedWithOthers() {
    // One row per batch and per call: every call holds exactly one row's points.
    List<Row> alone = perRow("alone", "input.partitions", "1", "execution.batch_rows", "1",
        "execution.call_rows", String.valueOf(POINTS_PER_ROW));
    // Packed: 1,024-row calls of 20 rows each; 37-row calls, which split rows across calls at
    // a different point in each; batches of 7 rows in 3 partitions, which end in short calls.
    List<Row> packed = perRow("packed", "input.partitions", "2");
    List<Row> split = perRow("split", "input.partitions", "4", "execution.call_rows", "37");
    List<Row> smallBatches = perRow("small-batches", "input.partitions", "3", "execution.batch_rows", "7");
    assertEquals(ROWS, alone.size());
    assertEquals(alone.stream().map(r -> r.get(0)).toList(), packed.stream().map(r -> r.get(0)).toList());
    assertArrayEquals(values(alone), values(packed), "alone vs packed into 1,024-row calls");
    assertArrayEquals(values(alone), values(split), "alone vs 37-row calls");
    assertArrayEquals(values(alone), values(smallBatches), "alone vs batches of 7 rows");
  }
}
