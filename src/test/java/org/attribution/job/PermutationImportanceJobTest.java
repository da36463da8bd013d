package org.attribution.job;

import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.model.ModelFixtures;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Tuple2;

/**
 * Permutation importance through the whole job, on the TorchScript linear model whose output 0 is
 * f(x) = w·x + b. With labels y and e_j = f(x_j) - y_j, permuting feature i by π changes the MSE
 * by mean_j[(e_j + w_i d_j)² - e_j²], d_j = x_{π(j),i} - x_{j,i}: computed here in double from the
 * job's own permutations, which a separate test checks are permutations.
 */
class PermutationImportanceJobTest {

  static final int ROWS = 40;
  static final int INPUTS = 4;
  static final int REPEATS = 3;
  static final long SEED = 11;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> data;
  static double[][] x = new double[ROWS][INPUTS];
  static double[] y = new double[ROWS];

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    SplittableRandom random = new SplittableRandom(3);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      Object[] fields = new Object[INPUTS + 3];
      fields[0] = (long) r;
      double f = ModelFixtures.LINEAR_BIAS[0];
      for (int i = 0; i < INPUTS; i++) {
        x[r][i] = Math.round(random.nextDouble(-3, 3) * 64) / 64.0;
        fields[i + 1] = x[r][i];
        f += ModelFixtures.LINEAR_WEIGHT[0][i] * x[r][i];
      }
      y[r] = f + Math.round(random.nextDouble(-1, 1) * 64) / 64.0;
      fields[INPUTS + 1] = y[r];
      fields[INPUTS + 2] = r % 2 == 0 ? 1.0 : 0.0;
      rows.add(RowFactory.create(fields));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("x0", DataTypes.DoubleType, false),
        DataTypes.createStructField("x1", DataTypes.DoubleType, false),
        DataTypes.createStructField("x2", DataTypes.DoubleType, false),
        DataTypes.createStructField("x3", DataTypes.DoubleType, false),
        DataTypes.createStructField("y", DataTypes.DoubleType, false),
        DataTypes.createStructField("positive", DataTypes.DoubleType, false)));
    data = spark.createDataFrame(rows, schema);
  }

  static JobConfig config(String name, String target, String method) {
    String yaml = """
        job_name: permutation
        seed: %d
        input: {path: unused, id_column: id}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: %s
        method: %s
        output: {path: %s}
        """.formatted(SEED, ModelFixtures.path(ModelFixtures.LINEAR), target, method, dir.resolve(name));
    return JobConfigLoader.parse(yaml, name + ".yaml", Map.of());
  }

  static final String MSE_TARGET = "{mode: class, class_index: 0, label_column: y}";
  static final String MSE = "{name: permutation_importance, metric: mse, repeats: " + REPEATS + "}";

  /** Each repeat's donor of each row id, from the job's own permutation. */
  static Map<Long, Long> donors(int repeat) {
    Dataset<Row> keyed = data.withColumnRenamed("id", "row_id").withColumn("_tie", lit(0L));
    Map<Long, Long> donors = new HashMap<>();
    for (Tuple2<Row, Row> pair : PermutationStage.pairs(keyed, SEED, repeat).collect()) {
      donors.put(pair._1().getLong(0), pair._2().getLong(0));
    }
    return donors;
  }

  @Test
  void mseDropsAreTheClosedFormOfTheJobsPermutations() {
    AttributionResult result = AttributionJob.builder(spark).config(config("mse", MSE_TARGET, MSE)).input(data)
        .execute();
    double[][] drops = new double[REPEATS][INPUTS];
    for (int r = 0; r < REPEATS; r++) {
      Map<Long, Long> donors = donors(r);
      for (int i = 0; i < INPUTS; i++) {
        double w = ModelFixtures.LINEAR_WEIGHT[0][i];
        for (int j = 0; j < ROWS; j++) {
          double e = ModelFixtures.LINEAR_BIAS[0] - y[j];
          for (int k = 0; k < INPUTS; k++) {
            e += ModelFixtures.LINEAR_WEIGHT[0][k] * x[j][k];
          }
          double d = x[donors.get((long) j).intValue()][i] - x[j][i];
          drops[r][i] += (2 * e * w * d + w * w * d * d) / ROWS;
        }
      }
    }
    List<ImportanceRow> rows = result.importance().overall(0);
    assertEquals(INPUTS, rows.size());
    for (ImportanceRow row : rows) {
      int i = Integer.parseInt(row.feature().substring(1));
      double mean = 0;
      double meanAbs = 0;
      for (double[] repeat : drops) {
        mean += repeat[i] / REPEATS;
        meanAbs += Math.abs(repeat[i]) / REPEATS;
      }
      assertEquals(mean, row.meanAttribution(), 1e-4 * Math.max(1, Math.abs(mean)), row.feature());
      assertEquals(meanAbs, row.meanAbsAttribution(), 1e-4 * Math.max(1, meanAbs), row.feature());
      assertEquals(ROWS, row.rows());
      assertTrue(row.ciLow() <= row.meanAttribution() && row.meanAttribution() <= row.ciHigh(), row.toString());
    }
    // |w| = 3 and 2 on x3 and x1 against 1 and 0.5: the order of w_i² Var(x_i) for like spreads
    assertEquals("x3", rows.get(0).feature());
    assertEquals(1, rows.get(0).rank());
    assertEquals(ROWS, result.manifest().rows().explained());
  }

  @Test
  void theJobsPermutationsArePermutationsThatDifferBetweenRepeats() {
    Map<Long, Long> first = donors(0);
    assertEquals(ROWS, first.size());
    assertEquals(ROWS, first.values().stream().distinct().count(), "every row donates once");
    assertNotEquals(first, donors(1));
    Dataset<Row> keyed = data.repartition(7).withColumnRenamed("id", "row_id").withColumn("_tie", lit(0L));
    Map<Long, Long> repartitioned = new TreeMap<>();
    for (Tuple2<Row, Row> pair : PermutationStage.pairs(keyed, SEED, 0).collect()) {
      repartitioned.put(pair._1().getLong(0), pair._2().getLong(0));
    }
    assertEquals(new TreeMap<>(first), repartitioned);
  }

  @Test
  void everyNumberIsTheSameHoweverTheInputIsPartitioned() {
    String auc = "{name: permutation_importance, metric: roc_auc, repeats: 2}";
    String target = "{mode: class, class_index: 1, label_column: positive}";
    AttributionResult one = AttributionJob.builder(spark).config(config("one", target, auc))
        .input(data.repartition(1)).execute();
    AttributionResult five = AttributionJob.builder(spark).config(config("five", target, auc))
        .input(data.repartition(5)).execute();
    assertEquals(one.importance(), five.importance());
    for (ImportanceRow row : one.importance().overall(1)) {
      assertTrue(Double.isFinite(row.meanAttribution()), row.toString());
    }
  }

  @Test
  void aModelWithSeveralOutputsNeedsTheScoredOutputForMse() {
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> AttributionJob.builder(spark)
        .config(config("unscored", "{label_column: y}", MSE)).input(data).execute());
    assertTrue(e.getMessage().contains("target.class_index"), e.getMessage());
  }

  @Test
  void theJobFileNeedsALabelColumnAndAMetric() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> AttributionJob.builder(spark).config(config("nolabel", "{mode: predicted}",
            "{name: permutation_importance}")).input(data).execute());
    assertTrue(e.getMessage().contains("'permutation_importance' needs 'target.label_column'"), e.getMessage());
    assertTrue(e.getMessage().contains("'method.metric' is missing"), e.getMessage());
  }
}
