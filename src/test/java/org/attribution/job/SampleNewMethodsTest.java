package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.FitQuality;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saliency, input x gradient, SmoothGrad, occlusion and LIME through the whole job on the sample
 * model and 40 rows of the sample data (the SHAP job file: 12 players, one-hot and grouped
 * columns summed), checked against each other where they must agree and for seeded invariance.
 */
class SampleNewMethodsTest {

  static final int ROWS = 40;
  static final int PLAYERS = 12;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> subset;

  @BeforeAll
  static void subset() {
    spark = SparkTestSession.get();
    subset = spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(ROWS));
  }

  /** The result of the SHAP job file with {@code method} (and overrides), on the subset. */
  static AttributionResult run(String name, String method, String... overrides) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", dir.resolve(name).toString());
    all.put("method.name", method);
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    JobConfig config = JobConfigLoader.load(SampleShapTest.JOB_FILE, all);
    AttributionResult result = AttributionJob.builder(spark).config(config).input(subset).execute();
    assertEquals(PLAYERS, result.manifest().features().size());
    return result;
  }

  static double[][] attributions(AttributionResult result) {
    List<Row> rows = spark.read().parquet(result.store().table("per_row")).filter(col("run_id").equalTo(result.runId()))
        .drop("run_date", "run_id").orderBy("row_id").collectAsList();
    assertEquals(ROWS, rows.size());
    double[][] values = new double[ROWS][PLAYERS];
    for (int r = 0; r < ROWS; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        values[r][p] = rows.get(r).getDouble(ResultSchema.FIXED_FIELDS + p);
        assertTrue(Double.isFinite(values[r][p]), "row " + r + " player " + p);
      }
    }
    return values;
  }

  /** Asserts {@code |a - b| <= tolerance * max(1e-3, |a|)} everywhere; returns the largest |a - b|. */
  static double assertAgree(double[][] a, double[][] b, double tolerance, String what) {
    double largest = 0;
    for (int r = 0; r < ROWS; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        double difference = Math.abs(a[r][p] - b[r][p]);
        largest = Math.max(largest, difference);
        assertTrue(difference <= tolerance * Math.max(1e-3, Math.abs(a[r][p])),
            what + ": row " + r + " player " + p + ": " + a[r][p] + " against " + b[r][p]);
      }
    }
    return largest;
  }

  /** The report says the method's gap is not an error, and flags nothing. */
  static void assertNotFlagged(AttributionResult result) throws Exception {
    String report = Files.readString(Path.of(result.store().report(result.runId())));
    assertTrue(report.contains("meant to add up"), "the report explains the gap");
    assertFalse(report.contains("badge warn\">flagged") || report.contains("Completeness: relative"),
        "no completeness flag");
  }

  @Test
  void saliencyBoundsTheSignedGradientAndEqualsItsSizeForOneColumnPlayers() throws Exception {
    AttributionResult absolute = run("saliency", "saliency");
    double[][] abs = attributions(absolute);
    double[][] signed = attributions(run("saliency-signed", "saliency", "method.absolute", "false"));
    List<String> features = absolute.manifest().features();
    boolean sawNegative = false;
    for (int r = 0; r < ROWS; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        assertTrue(abs[r][p] >= Math.abs(signed[r][p]) - 1e-12, "sum of |g| >= |sum of g|");
        sawNegative |= signed[r][p] < 0;
      }
      for (String numeric : List.of("funded_amnt", "annual_inc", "revol_util")) {
        int p = features.indexOf(numeric);
        assertEquals(abs[r][p], Math.abs(signed[r][p]), 0, numeric);
      }
    }
    assertTrue(sawNegative, "the signed gradient has both signs");
    assertNotFlagged(absolute);
  }

  @Test
  void smoothGradWithoutNoiseIsTheMethodItWraps() {
    double[][] inputXGradient = attributions(run("ixg", "input_x_gradient"));
    double[][] smoothIxg = attributions(run("smooth-ixg", "smoothgrad",
        "method.wraps", "input_x_gradient", "method.noise_std", "0", "method.samples", "2"));
    // Float32 results of one model in calls of other sizes: equal to libtorch's rounding.
    assertAgree(inputXGradient, smoothIxg, 1e-4, "SmoothGrad of input x gradient without noise");
    double[][] ig = attributions(run("ig", "integrated_gradients", "method.steps", "16"));
    double[][] smoothIg = attributions(run("smooth-ig", "smoothgrad",
        "method.wraps", "integrated_gradients", "method.steps", "16", "method.noise_std", "0", "method.samples", "1"));
    assertAgree(ig, smoothIg, 1e-4, "SmoothGrad of IG without noise");
  }

  @Test
  void occlusionWithTheMeanBaselineIsOcclusionWithTheOneCentroidOfTheRows() throws Exception {
    // The mean baseline is the explained rows' mean; k-means with one cluster over all of them
    // (kmeans_rows is above 40) puts its centroid there too.
    AttributionResult withBackground = run("occlusion-centroid", "occlusion",
        "background", "{source: kmeans, k: 1}");
    double[][] centroid = attributions(withBackground);
    double[][] mean = attributions(run("occlusion-mean", "occlusion", "method.baseline", "mean", "background", null));
    assertAgree(mean, centroid, 1e-4, "occlusion from the mean");
    assertNotFlagged(withBackground);
  }

  @Test
  void sampledMethodsGiveTheSameResultsForAnyPartitioningAndDependOnTheSeed() throws Exception {
    for (List<String> method : List.of(List.of("smoothgrad", "method.samples", "8"),
        List.of("lime", "method.samples", "200"))) {
      String name = method.get(0);
      String[] settings = method.subList(1, 3).toArray(new String[0]);
      AttributionResult oneResult = run("one-" + name, name, concat(settings, "input.partitions", "1"));
      double[][] one = attributions(oneResult);
      double[][] five = attributions(run("five-" + name, name,
          concat(settings, "input.partitions", "5", "execution.batch_rows", "3")));
      double[][] otherSeed = attributions(run("seed-" + name, name, concat(settings, "seed", "7")));
      assertAgree(one, five, 1e-6, name + " across partitionings");
      assertTrue(!java.util.Arrays.deepEquals(one, otherSeed), name + ": the seed matters");
      assertNotFlagged(oneResult);
    }
  }

  /**
   * LIME's fit on the sample MLP, a nonlinear model: each row's weighted R^2 is below 1, and the
   * manifest's per-target mean and minimum are those of the per-row table's fit_r2 column, with
   * the per-row table or without it (where tasks hand back statistics only).
   */
  @Test
  void limeReportsItsFitPerRowAndPerTarget() {
    AttributionResult withRows = run("lime-fit-rows", "lime", "method.samples", "200");
    List<Row> rows = spark.read().parquet(withRows.store().table("per_row"))
        .filter(col("run_id").equalTo(withRows.runId())).collectAsList();
    assertEquals(ROWS, rows.size());
    Map<Integer, double[]> byTarget = new java.util.TreeMap<>();
    for (Row row : rows) {
      double rSquared = row.<Double>getAs(ResultSchema.FIT_R2);
      assertTrue(rSquared > 0 && rSquared < 1, "row " + row.getAs("row_id") + ": " + rSquared);
      double[] sums = byTarget.computeIfAbsent(row.<Integer>getAs("target"),
          t -> new double[] {0, 0, Double.POSITIVE_INFINITY});
      sums[0]++;
      sums[1] += rSquared;
      sums[2] = Math.min(sums[2], rSquared);
    }
    List<FitQuality> fits = withRows.manifest().fit();
    List<FitQuality> withoutRows = run("lime-fit-summary", "lime", "method.samples", "200", "output.per_row", "false")
        .manifest().fit();
    assertEquals(byTarget.keySet(), fits.stream().map(FitQuality::target).collect(java.util.stream.Collectors.toSet()));
    assertEquals(fits.size(), withoutRows.size());
    for (int i = 0; i < fits.size(); i++) {
      FitQuality fit = fits.get(i);
      double[] sums = byTarget.get(fit.target());
      assertEquals((long) sums[0], fit.rows(), fit.toString());
      assertEquals(sums[1] / sums[0], fit.meanR2(), 1e-12, fit.toString());
      assertEquals(sums[2], fit.minR2(), 0, fit.toString());
      assertEquals(fit.target(), withoutRows.get(i).target());
      assertEquals(fit.rows(), withoutRows.get(i).rows());
      assertEquals(fit.meanR2(), withoutRows.get(i).meanR2(), 1e-12);
      assertEquals(fit.minR2(), withoutRows.get(i).minR2(), 0);
    }
  }

  private static String[] concat(String[] first, String... more) {
    return java.util.stream.Stream.concat(java.util.Arrays.stream(first), java.util.Arrays.stream(more))
        .toArray(String[]::new);
  }
}
