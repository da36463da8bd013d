package org.attribution.job;

import static org.apache.spark.sql.functions.col;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.aggregate.FitQuality;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.model.ModelFixtures;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every method through the whole job, on a TorchScript linear model y = W x + b whose attributions
 * are known in closed form: with the background (or IG baseline) equal to the data mean m, the
 * attribution of input i for output t is {@code W[t][i] * (x_i - m_i)} for Integrated Gradients
 * and for every SHAP method, and the base value is f(m).
 */
class LinearModelJobTest {

  static final int ROWS = 24;
  static final int INPUTS = 4;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> data;
  static double[][] x = new double[ROWS][INPUTS];
  static double[] mean = new double[INPUTS];

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    SplittableRandom random = new SplittableRandom(7);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      Object[] fields = new Object[INPUTS + 1];
      fields[0] = (long) r;
      for (int i = 0; i < INPUTS; i++) {
        // Values exact in float32, so the encoded inputs equal these doubles.
        x[r][i] = Math.round(random.nextDouble(-3, 3) * 64) / 64.0;
        fields[i + 1] = x[r][i];
        mean[i] += x[r][i] / ROWS;
      }
      rows.add(RowFactory.create(fields));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.LongType, false),
        DataTypes.createStructField("x0", DataTypes.DoubleType, false),
        DataTypes.createStructField("x1", DataTypes.DoubleType, false),
        DataTypes.createStructField("x2", DataTypes.DoubleType, false),
        DataTypes.createStructField("x3", DataTypes.DoubleType, false)));
    data = spark.createDataFrame(rows, schema);
  }

  /** Every row: the background mean is the data mean. */
  static final String EVERY_ROW = "{source: sample, size: 1000}";

  static JobConfig config(String method) {
    return config(method, EVERY_ROW);
  }

  static JobConfig config(String method, String background) {
    return config(method, background, ModelFixtures.LINEAR);
  }

  static JobConfig config(String method, String background, String model) {
    String yaml = """
        input: {path: unused, id_column: id}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: all}
        output: {path: %s, per_row: true}
        """.formatted(ModelFixtures.path(model), dir.resolve(model + method + background.hashCode()));
    String methodYaml = switch (method) {
      case "integrated_gradients" -> "{name: integrated_gradients, baseline: mean, steps: 4}";
      // Expected gradients is exact for a linear model once every background row is used equally.
      case "gradient_shap" -> "{name: gradient_shap, samples: " + 2 * ROWS + "}";
      default -> "{name: " + method + "}";
    };
    String backgroundYaml = method.equals("integrated_gradients") ? "" : "background: " + background + "\n";
    return JobConfigLoader.parse(yaml + "method: " + methodYaml + "\n" + backgroundYaml, "linear.yaml", Map.of());
  }

  @ParameterizedTest
  @ValueSource(strings = {"integrated_gradients", "kernel_shap", "gradient_shap", "sampling_shapley", "exact_shapley"})
  void attributionIsWeightTimesDistanceFromTheMean(String method) {
    check(method, AttributionJob.builder(spark).config(config(method)).input(data).execute());
  }

  /**
   * The other background sources have the same mean here: k-means with as many clusters as
   * rows puts every row in its own cluster, and another dataset holding the same rows is them.
   */
  @ParameterizedTest
  @ValueSource(strings = {"kmeans", "dataset"})
  void everyBackgroundSourceWithTheDataMeanGivesTheSameAnswer(String source) {
    String background = source.equals("kmeans") ? "{source: kmeans, k: " + ROWS + "}"
        : "{source: dataset, input: {path: " + dir.resolve("background.parquet") + "}}";
    if (source.equals("dataset")) {
      data.write().mode("overwrite").parquet(dir.resolve("background.parquet").toString());
    }
    check("kernel_shap", AttributionJob.builder(spark).config(config("kernel_shap", background)).input(data).execute());
  }

  /**
   * A float64 copy of the model gets float64 rows and hands back float64 outputs and gradients,
   * which the job reads as float32: exactly the float32 model's here, where every value is exact
   * in float32, so the attributions are the closed form and the importance is the same.
   */
  @ParameterizedTest
  @ValueSource(strings = {"integrated_gradients", "kernel_shap"})
  void aFloat64ModelGivesTheFloat32ModelsImportance(String method) {
    AttributionResult float64 = AttributionJob.builder(spark)
        .config(config(method, EVERY_ROW, ModelFixtures.LINEAR_FLOAT64)).input(data).execute();
    check(method, float64);
    AttributionResult float32 = AttributionJob.builder(spark).config(config(method)).input(data).execute();
    assertEquals(float32.importance().rows(), float64.importance().rows());
    assertEquals("float64", float64.manifest().model().inputType());
    assertEquals("float32", float32.manifest().model().inputType());
    // Each run's executors measure their fastest call size: one of the candidates, not the budget's size (which
    // halves for float64).
    for (AttributionResult result : List.of(float32, float64)) {
      int callRows = result.manifest().execution().maxEvaluationRows();
      assertTrue(IntStream.of(CallCalibration.CANDIDATES).anyMatch(size -> size == callRows), "call rows " + callRows);
      assertEquals(Map.of("driver", callRows), result.manifest().execution().callRowsByExecutor());
      // The manifest shows what the choice was made from: every size timed, the chosen one the fastest of them.
      Map<Integer, Double> timed = result.manifest().execution().callNanosPerRowByExecutor().get("driver");
      assertTrue(timed.keySet().stream().allMatch(size -> IntStream.of(CallCalibration.CANDIDATES).anyMatch(c -> c == size)),
          "sizes timed " + timed.keySet());
      assertEquals(callRows, CallCalibration.fastest(Map.of("driver", timed)).get("driver"));
      assertTrue(timed.values().stream().allMatch(nanos -> nanos > 0), "timings " + timed);
    }
  }

  /** The k-means background, and so every number of the run, is the same however the input is partitioned. */
  @Test
  void theKmeansBackgroundDoesNotDependOnPartitioning() {
    JobConfig config = config("kernel_shap", "{source: kmeans, k: 5}");
    AttributionResult one = AttributionJob.builder(spark).config(config).input(data.repartition(1)).execute();
    AttributionResult five = AttributionJob.builder(spark).config(config).input(data.repartition(5)).execute();
    assertEquals(5, one.manifest().background().rows());
    assertArrayEquals(one.manifest().background().baseValues(), five.manifest().background().baseValues());
    assertEquals(one.importance(), five.importance());
  }

  /** The run's per-row table, a row per (row, target), in that order. */
  private static List<Row> perRow(AttributionResult result) {
    List<Row> rows = spark.read().parquet(result.store().table("per_row"))
        .filter(col("run_id").equalTo(result.runId())).drop("run_date", "run_id")
        .orderBy("row_id", "target").collectAsList();
    assertEquals(ROWS * 2, rows.size());
    return rows;
  }

  private static void check(String method, AttributionResult result) {
    List<Row> rows = perRow(result);
    for (Row row : rows) {
      int r = (int) row.getLong(0);
      int t = row.getInt(1);
      double reference = ModelFixtures.LINEAR_BIAS[t];
      for (int i = 0; i < INPUTS; i++) {
        double expected = ModelFixtures.LINEAR_WEIGHT[t][i] * (x[r][i] - mean[i]);
        assertEquals(expected, row.<Double>getAs("attr_x" + i), 1e-4, method + " row " + r + " target " + t + " x" + i);
        reference += ModelFixtures.LINEAR_WEIGHT[t][i] * mean[i];
      }
      assertEquals(reference, row.<Double>getAs("reference"), 1e-4, method + " reference (f of the mean)");
      assertEquals(0, row.<Double>getAs("completeness_gap"), 1e-4, method + " completeness");
    }
    if (!method.equals("integrated_gradients")) {
      assertEquals(ROWS, result.manifest().background().rows(), "the background is every row");
    }
  }

  /**
   * The per-row methods that do not decompose f(x) - f(m), through the whole job on the linear
   * model: saliency is W (or |W|) whatever the row, input x gradient W (x - m), SmoothGrad of
   * saliency W whatever the noise, with a VarGrad of 0; occlusion of an additive model and LIME
   * with a one-row background (k-means with k = 1: the mean) are W (x - m) too. The expected value
   * is a function of (target, input, row).
   */
  @ParameterizedTest
  @ValueSource(strings = {
      "saliency|{name: saliency, absolute: false}",
      "saliency_abs|{name: saliency}",
      "input_x_gradient|{name: input_x_gradient, baseline: mean}",
      "smoothgrad|{name: smoothgrad, wraps: saliency, absolute: false, noise_std: 0.5, samples: 8}",
      "vargrad|{name: smoothgrad, wraps: saliency, noise_std: 0.5, samples: 8, aggregate: variance}",
      "smoothgrad_ig|{name: smoothgrad, wraps: integrated_gradients, baseline: mean, steps: 4, noise_std: 0}",
      "occlusion|{name: occlusion}",
      "occlusion_mean|{name: occlusion, baseline: mean}",
      "lime|{name: lime, samples: 400, alpha: 1.0e-9}"})
  void perRowMethodsHaveTheirClosedFormsThroughTheJob(String spec) throws Exception {
    String name = spec.substring(0, spec.indexOf('|'));
    String methodYaml = spec.substring(spec.indexOf('|') + 1);
    String background = name.equals("lime") ? "{source: kmeans, k: 1}" : name.equals("occlusion") ? EVERY_ROW : null;
    String yaml = """
        input: {path: unused, id_column: id}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: all}
        output: {path: %s, per_row: true}
        method: %s
        """.formatted(ModelFixtures.path(ModelFixtures.LINEAR), dir.resolve("per-row-" + name), methodYaml)
        + (background == null ? "" : "background: " + background + "\n");
    AttributionResult result = AttributionJob.builder(spark)
        .config(JobConfigLoader.parse(yaml, name + ".yaml", Map.of())).input(data).execute();
    List<Row> rows = perRow(result);
    for (Row row : rows) {
      int r = (int) row.getLong(0);
      int t = row.getInt(1);
      for (int i = 0; i < INPUTS; i++) {
        double w = ModelFixtures.LINEAR_WEIGHT[t][i];
        double expected = switch (name) {
          case "saliency", "smoothgrad" -> w;
          case "saliency_abs" -> Math.abs(w);
          case "vargrad" -> 0;
          default -> w * (x[r][i] - mean[i]);
        };
        assertEquals(expected, row.<Double>getAs("attr_x" + i), 1e-4, name + " row " + r + " target " + t + " x" + i);
      }
    }
    if (name.equals("lime")) {
      // From a one-row background the model is linear in the switches: the weighted fit is exact.
      for (Row row : rows) {
        assertEquals(1, row.<Double>getAs(ResultSchema.FIT_R2), 1e-6, "row " + row.getLong(0));
      }
      assertEquals(2, result.manifest().fit().size());
      for (FitQuality fit : result.manifest().fit()) {
        assertEquals(ROWS, fit.rows(), fit.toString());
        assertEquals(1, fit.meanR2(), 1e-6, fit.toString());
        assertEquals(1, fit.minR2(), 1e-6, fit.toString());
      }
    } else {
      assertNull(result.manifest().fit(), "only a surrogate method reports a fit");
      assertFalse(List.of(rows.get(0).schema().fieldNames()).contains(ResultSchema.FIT_R2));
    }
    // The gap of a method that is not meant to add up is reported, never flagged.
    String report = java.nio.file.Files.readString(Path.of(result.store().report(result.runId())));
    // SmoothGrad's reference is the mean output over the noisy copies, so its relative gap is far
    // above the threshold that flags IG and SHAP.
    if (name.equals("smoothgrad")) {
      assertTrue(result.manifest().completeness().stream().allMatch(c -> c.meanAbsGap()
          > org.attribution.aggregate.CompletenessFlag.MAX_RELATIVE_GAP * c.meanAbsDelta()),
          "a gap IG would be flagged for");
    }
    assertTrue(report.contains("meant to add up"), "the report says the gap is not an error");
    assertTrue(!report.contains("badge warn\">flagged") && !report.contains("Completeness: relative"),
        "no completeness flag or alert");
  }

  /**
   * A model that returns NaN where x0 > 2: from a zero baseline, exactly the rows with x0 > 2 get
   * non-finite results. Those rows are rejects with the model's reason and their row id, counted
   * and left out; the statistics are those of the rest, with the per-row table or without.
   */
  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void rowsTheModelGivesNaNAreRejectedAndLeftOutOfTheStatistics(boolean perRow) {
    String yaml = """
        input: {path: unused, id_column: id}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: all}
        method: {name: integrated_gradients, baseline: zeros, steps: 4}
        output: {path: %s, per_row: %s}
        """.formatted(ModelFixtures.path("linear_nan_above_2.pt"), dir.resolve("nan-" + perRow), perRow);
    AttributionResult result = AttributionJob.builder(spark)
        .config(JobConfigLoader.parse(yaml, "nan.yaml", Map.of())).input(data).execute();
    List<Long> nanIds = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      if (x[r][0] > 2) {
        nanIds.add((long) r);
      }
    }
    long nan = nanIds.size();
    assertTrue(nan > 0 && nan < ROWS, "the fixture data has rows on both sides of x0 = 2");
    assertEquals(2 * nan, result.manifest().rows().nonFiniteResults());
    assertEquals(2 * (ROWS - nan), result.manifest().rows().results());
    assertEquals(ROWS - nan, result.manifest().rows().explained());
    assertEquals(nan, result.manifest().rows().rejected());
    assertEquals(Map.of("model output is NaN for target 0", nan), result.manifest().rejectReasons());
    List<Row> rejects = spark.read().parquet(result.store().table("rejects"))
        .select("reject_row_id", "id", "reject_reason").orderBy("id").collectAsList();
    assertEquals(nanIds, rejects.stream().map(r -> r.getLong(0)).toList());
    assertEquals(nanIds, rejects.stream().map(r -> r.getLong(1)).toList());
    assertTrue(rejects.stream().allMatch(r -> r.getString(2).equals("model output is NaN for target 0")));
    for (int t = 0; t < 2; t++) {
      for (ImportanceRow row : result.importance().overall(t)) {
        int i = Integer.parseInt(row.feature().substring(1));
        double expected = 0;
        for (double[] r : x) {
          expected += r[0] > 2 ? 0 : Math.abs(ModelFixtures.LINEAR_WEIGHT[t][i] * r[i]) / (ROWS - nan);
        }
        assertEquals(ROWS - nan, row.rows());
        assertEquals(expected, row.meanAbsAttribution(), 1e-5, row.toString());
      }
    }
  }

  /**
   * A model that gives NaN for every row explains nothing: the run is refused before anything is
   * committed, with a message that says it was the model, and the rejected rows stay in staging.
   */
  @Test
  void aModelThatGivesNaNForEveryRowIsRefused() {
    Path out = dir.resolve("all-nan");
    String yaml = """
        input: {path: unused, id_column: id}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        method: {name: kernel_shap}
        background: {source: sample, size: 4}
        output: {path: %s}
        """.formatted(ModelFixtures.path("linear_nan_above_2.pt"), out);
    Dataset<Row> aboveTwo = data.withColumn("x0", col("x0").plus(10));
    org.attribution.config.InvalidJobException refused = org.junit.jupiter.api.Assertions.assertThrows(
        org.attribution.config.InvalidJobException.class, () -> AttributionJob.builder(spark)
            .config(JobConfigLoader.parse(yaml, "nan.yaml", Map.of())).input(aboveTwo).runId("all-nan").execute());
    assertEquals("Cannot accept this run: the model gave NaN or infinite outputs for 24 of 24 rows; 24 of 24 rows"
        + " (100.0%) were rejected, more than input.max_reject_share (50.0%); the rejected rows and their reasons are"
        + " in " + out + "/_staging/all-nan/rejects", refused.getMessage());
    assertTrue(java.nio.file.Files.notExists(out.resolve("runs")), "nothing committed");
    assertEquals(24, spark.read().parquet(out + "/_staging/all-nan/rejects")
        .filter(col("reject_reason").startsWith("model output is NaN")).count());
  }

  /**
   * The same inputs as one array column and as one ML vector column: the same attributions, each
   * element its own feature; vectors of the wrong length or with bad elements are rejected with
   * their reason.
   */
  @ParameterizedTest
  @ValueSource(strings = {"array", "ml_vector"})
  void vectorFeaturesAreEncodedElementwiseAndBadVectorsRejected(String kind) {
    Dataset<Row> arrays = data.select(col("id"), org.apache.spark.sql.functions.array(
        col("x0"), col("x1"), col("x2"), col("x3")).as("v"));
    Dataset<Row> bad = spark.createDataFrame(List.of(
        RowFactory.create(100L, new double[] {1, 2, 3}),
        RowFactory.create(101L, new double[] {1, Double.NaN, 3, 4})), DataTypes.createStructType(List.of(
            DataTypes.createStructField("id", DataTypes.LongType, false),
            DataTypes.createStructField("v", DataTypes.createArrayType(DataTypes.DoubleType), true))));
    Dataset<Row> input = arrays.union(bad);
    if (kind.equals("ml_vector")) {
      input = input.filter(org.apache.spark.sql.functions.size(col("v")).equalTo(INPUTS))
          .withColumn("v", org.apache.spark.ml.functions.array_to_vector(col("v")));
    }
    String yaml = """
        input: {path: unused, id_column: id}
        features: {vector_column: v, vector_names: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: all}
        method: {name: integrated_gradients, baseline: zeros, steps: 4}
        output: {path: %s, per_row: true}
        """.formatted(ModelFixtures.path(ModelFixtures.LINEAR), dir.resolve("vector-" + kind));
    AttributionResult result = AttributionJob.builder(spark)
        .config(JobConfigLoader.parse(yaml, "vector.yaml", Map.of())).input(input).execute();
    List<Row> rows = perRow(result);
    for (Row row : rows) {
      int r = (int) row.getLong(0);
      int t = row.getInt(1);
      for (int i = 0; i < INPUTS; i++) {
        assertEquals(ModelFixtures.LINEAR_WEIGHT[t][i] * x[r][i], row.<Double>getAs("attr_x" + i), 1e-4);
      }
    }
    Map<Long, String> reasons = new java.util.TreeMap<>();
    spark.read().parquet(result.store().table("rejects")).filter(col("run_id").equalTo(result.runId()))
        .collectAsList().forEach(r -> reasons.put(r.getAs("id"), r.getAs("reject_reason")));
    Map<Long, String> expected = kind.equals("array")
        ? Map.of(100L, "vector of length 3 in feature 'v', expected 4",
            101L, "null, NaN or infinite element in feature 'v'")
        : Map.of(101L, "null, NaN or infinite element in feature 'v'");
    assertEquals(expected, reasons);
  }
}
