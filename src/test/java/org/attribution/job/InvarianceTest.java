package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.ImportanceSummary;
import org.attribution.config.JobConfig;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.Vocabularies;
import org.attribution.method.Attributions;
import org.attribution.method.IntegratedGradients;
import org.attribution.method.IntegrationRule;
import org.attribution.model.OutputTransform;
import org.attribution.model.TorchScriptModel;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.attribution.testing.Tolerances;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Results do not depend on how Spark runs the job: one partition or eight, one task at a time or
 * two at once in the executor JVM (local[2] runs two), batch size, model call size, nor Spark at all (a direct call
 * of the method in this thread is the reference).
 *
 * <p>Across Spark layouts the per-row values are equal bit for bit: the model adapter never hands
 * libtorch a call so short that it multiplies with another kernel (see {@code
 * TorchScriptModelCallSizeTest}). Against the direct call the comparison is to float tolerance.
 */
class InvarianceTest {

  static final int ROWS = 600;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> subset;

  @BeforeAll
  static void subset() {
    spark = SparkTestSession.get();
    subset = spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(ROWS));
  }

  private static List<Row> perRow(String name, String... overrides) {
    String[] all = Arrays.copyOf(overrides, overrides.length + 2);
    all[overrides.length] = "method.baseline";
    all[overrides.length + 1] = "zeros";
    JobConfig config = SampleJob.config(dir.resolve(name), all);
    AttributionResult result = AttributionJob.builder(spark).config(config).input(subset).execute();
    return spark.read().parquet(result.store().table("per_row")).filter(col("run_id").equalTo(result.runId())).drop("run_date", "run_id").orderBy("row_id").collectAsList();
  }

  /** Prediction, reference, gap, every attribution and every standard error (if any) of every row. */
  static double[] values(List<Row> rows) {
    int width = rows.get(0).length();
    int[] fields = IntStream.concat(IntStream.of(3, 5, 6), IntStream.range(ResultSchema.FIXED_FIELDS, width)).toArray();
    return rows.stream().flatMapToDouble(r -> Arrays.stream(fields).mapToDouble(r::getDouble)).toArray();
  }

  @Test
  void onePartitionEightPartitionsSmallBatchesAndSmallCallsAgree() {
    List<Row> one = perRow("one", "input.partitions", "1");
    List<Row> eight = perRow("eight", "input.partitions", "8");
    // Three partitions of 200 rows in batches of 11 end in a batch of 2: its f(x) is a call of 2
    // rows, which libtorch would multiply with another kernel.
    List<Row> smallBatches = perRow("small", "input.partitions", "3", "execution.batch_rows", "11");
    // 37-row calls cut every row's 50 path points at a different step.
    List<Row> smallCalls = perRow("small-calls", "input.partitions", "2", "execution.call_rows", "37");
    assertEquals(ROWS, one.size());
    assertEquals(one.stream().map(r -> r.get(0)).toList(), eight.stream().map(r -> r.get(0)).toList());
    assertArrayEquals(values(one), values(eight), "1 vs 8 partitions");
    assertArrayEquals(values(one), values(smallBatches), "batch rows 11");
    assertArrayEquals(values(one), values(smallCalls), "call rows 37");
  }

  @Test
  void sparkResultsEqualTheMethodCalledDirectlyInOneThread() throws Exception {
    List<Row> job = perRow("direct-reference", "input.partitions", "4");
    JobConfig config = SampleJob.config(dir.resolve("unused"));
    FeatureEncoder encoder = FeatureEncoder.build(config.features(),
        Vocabularies.read(config.features().vocabularyFile(), spark.sparkContext().hadoopConfiguration()), () -> 0);
    List<Column> select = new ArrayList<>(List.of(col("loan_id")));
    select.addAll(List.of(encoder.encodedColumns()));
    List<Row> encoded = subset.select(select.toArray(new Column[0])).orderBy("loan_id").collectAsList();
    int width = encoder.width();
    float[] inputs = new float[encoded.size() * width];
    for (int r = 0; r < encoded.size(); r++) {
      encoder.encode(encoded.get(r), 1, inputs, r * width);
    }
    int[] targets = new int[encoded.size()];
    Arrays.fill(targets, 1);
    try (TorchScriptModel model = TorchScriptModel.load(SampleJob.MODEL, Device.cpu(), OutputTransform.SOFTMAX, width)) {
      Attributions direct = new IntegratedGradients(model, new float[width], IntegrationRule.GAUSS_LEGENDRE, 50,
          4096, encoder.groups()).attribute(inputs, encoded.size(), targets);
      double[] expected = new double[direct.rows() * direct.players()];
      double[] actual = new double[expected.length];
      for (int r = 0; r < direct.rows(); r++) {
        assertEquals(encoded.get(r).getLong(0), job.get(r).getLong(0));
        assertEquals(direct.outputs()[r], job.get(r).getDouble(3), 1e-6);
        for (int p = 0; p < direct.players(); p++) {
          expected[r * direct.players() + p] = direct.value(r, p);
          actual[r * direct.players() + p] = job.get(r).getDouble(ResultSchema.FIXED_FIELDS + p);
        }
      }
      Tolerances.assertClose(expected, actual, 1e-6, 1e-5, "job vs direct call");
    }
  }

  @Test
  void globalTablesAreTheSameToTheLastBitWithOrWithoutThePerRowTable() {
    // Without the table, tasks hand back statistics; with it, they are computed from the table.
    ImportanceSummary withTable = importance("with-table", "true");
    ImportanceSummary without = importance("without-table", "false");
    assertTrue(without.resultRows() > ROWS / 2, "rows explained: " + without.resultRows());
    assertEquals(withTable, without);
  }

  private static ImportanceSummary importance(String name, String perRow) {
    JobConfig config = SampleJob.config(dir.resolve(name), "input.partitions", "3", "output.per_row", perRow);
    return AttributionJob.builder(spark).config(config).input(subset).execute().importance();
  }
}
