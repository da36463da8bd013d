package org.attribution.job;

import org.attribution.output.ResultSchema;
import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.SamplingEffort;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel SHAP on the real sample model, against exact Shapley values computed by the job itself
 * (12 players after grouping: 4,094 coalitions per row, all enumerated).
 */
class SampleShapTest {

  static final Path JOB_FILE = Path.of("conf/lending-club-shap.yaml");
  static final int ROWS = 40;
  static final int PLAYERS = 12;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> subset;
  static double[][] exact;

  @BeforeAll
  static void exactValues() {
    spark = SparkTestSession.get();
    subset = spark.read().parquet(SampleJob.DATA).filter(col("loan_id").leq(ROWS));
    exact = attributions(run("exact", "method", "{name: exact_shapley}"));
  }

  /** Runs the SHAP job file on the subset with a small sampled background; returns per-row rows. */
  static List<Row> run(String name, String... overrides) {
    return perRow(execute(name, overrides));
  }

  /** Runs the SHAP job file on the subset with a small sampled background. */
  static AttributionResult execute(String name, String... overrides) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", dir.resolve(name).toString());
    all.put("background", "{source: sample, size: 8}");
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    JobConfig config = JobConfigLoader.load(JOB_FILE, all);
    AttributionResult result = AttributionJob.builder(spark).config(config).input(subset).execute();
    assertEquals(PLAYERS, result.manifest().features().size());
    return result;
  }

  static List<Row> perRow(AttributionResult result) {
    return spark.read().parquet(result.store().table("per_row")).filter(col("run_id").equalTo(result.runId()))
        .drop("run_date", "run_id").orderBy("row_id").collectAsList();
  }

  static double[][] attributions(List<Row> rows) {
    return values(rows, ResultSchema.FIXED_FIELDS);
  }

  static double[][] standardErrors(List<Row> rows) {
    return values(rows, ResultSchema.FIXED_FIELDS + PLAYERS);
  }

  private static double[][] values(List<Row> rows, int first) {
    double[][] values = new double[rows.size()][PLAYERS];
    for (int r = 0; r < rows.size(); r++) {
      for (int p = 0; p < PLAYERS; p++) {
        values[r][p] = rows.get(r).getDouble(first + p);
      }
    }
    return values;
  }

  static double meanAbsError(double[][] estimate) {
    double error = 0;
    for (int r = 0; r < ROWS; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        error += Math.abs(estimate[r][p] - exact[r][p]);
      }
    }
    return error / (ROWS * PLAYERS);
  }

  static double meanAbsExact() {
    double sum = 0;
    for (double[] row : exact) {
      for (double v : row) {
        sum += Math.abs(v);
      }
    }
    return sum / (ROWS * PLAYERS);
  }

  @Test
  void exactShapleyIsEfficient() {
    for (Row row : run("exact-check", "method", "{name: exact_shapley}")) {
      double delta = row.<Double>getAs("prediction") - row.<Double>getAs("reference");
      assertEquals(0, row.<Double>getAs("completeness_gap"), 1e-5 * Math.max(1e-3, Math.abs(delta)));
    }
  }

  @Test
  void kernelShapErrorFallsWithTheBudgetAndIsSmallAtTheDefault() {
    double small = meanAbsError(attributions(run("budget-48", "method.budget", "48")));
    double medium = meanAbsError(attributions(run("budget-400", "method.budget", "400")));
    List<Row> defaultRows = run("budget-default", "method", "{name: kernel_shap}");
    double atDefault = meanAbsError(attributions(defaultRows));
    assertTrue(medium < small, "error at budget 400 (" + medium + ") below budget 48 (" + small + ")");
    assertTrue(atDefault < medium, "error at the default budget (" + atDefault + ") below budget 400 (" + medium + ")");
    double relative = atDefault / meanAbsExact();
    assertTrue(relative < 0.02, "mean |kernel - exact| / mean |exact| at the default budget = " + relative);
    for (Row row : defaultRows) {
      double delta = row.<Double>getAs("prediction") - row.<Double>getAs("reference");
      assertEquals(0, row.<Double>getAs("completeness_gap"), 1e-5 * Math.max(1e-3, Math.abs(delta)),
          "Kernel SHAP's efficiency is exact by construction");
    }
  }

  @Test
  void aTargetErrorStopsEachRowWhenMetAndTheManifestSaysWhatTheRowsSpent() {
    // With the tree adjustment too, which runs in every round.
    String method = "{name: kernel_shap, budget: 1200, target_error: 0.01, adjustment_trees: 20}";
    AttributionResult result = execute("target", "method", method);
    List<Row> rows = perRow(result);
    SamplingEffort effort = result.manifest().sampling();
    long cap = result.manifest().execution().evaluationsPerRow();
    long spent = 0;
    long short_ = 0;
    for (Row row : rows) {
      long evaluations = row.<Long>getAs(ResultSchema.EVALUATIONS);
      assertTrue(evaluations > 1 && evaluations <= cap, "evaluations " + evaluations + " of at most " + cap);
      spent += evaluations;
      short_ += row.<Boolean>getAs(ResultSchema.TARGET_MET) ? 0 : 1;
    }
    assertEquals(new SamplingEffort(0.01, cap, ROWS, spent, (double) spent / ROWS, short_, (double) short_ / ROWS),
        effort);
    // The sample model is nearly additive: most rows meet 1% well before the cap, and they are
    // about that accurate.
    assertTrue(spent < ROWS * cap / 2, "spent " + spent + " of " + ROWS * cap);
    double relative = meanAbsError(attributions(rows)) / meanAbsExact();
    assertTrue(relative < 0.015, "relative MAE " + relative);
    // Without the per-row table the rows report through the tasks' summaries: the same numbers.
    assertEquals(effort, execute("target-summary", "method", method, "output.per_row", "false").manifest().sampling());
    // Besides the rows' own evaluations, each row's prediction, which picks its target.
    assertEquals(spent + ROWS, result.manifest().modelEvaluations(), "the model's evaluations in the explain stage");
  }

  @Test
  void samplingShapleyEvaluatesEachCoalitionOfARowOnceAndTheManifestCountsWhatRan() {
    AttributionResult result =
        execute("sampling-effort", "method", "{name: sampling_shapley, permutations: 32, target_error: 0.000001}");
    long spent = 0;
    for (Row row : perRow(result)) {
      spent += row.<Long>getAs(ResultSchema.EVALUATIONS);
    }
    assertEquals(spent + ROWS, result.manifest().modelEvaluations(), "the model's evaluations in the explain stage");
    // Every row runs to the cap, but 32 orderings of these players reach some coalitions of one
    // player (and of all but one) more than once.
    assertEquals(ROWS, result.manifest().sampling().resultsAtCap());
    assertTrue(spent < result.manifest().execution().plannedEvaluations(),
        spent + " evaluations of " + result.manifest().execution().plannedEvaluations() + " planned");
  }

  @Test
  void reportedStandardErrorsCoverTheTrueErrorAboutAsOftenAsTheyShould() {
    List<Row> rows = run("coverage", "method.budget", "200");
    double[][] estimate = attributions(rows);
    double[][] se = standardErrors(rows);
    int covered = 0;
    for (int r = 0; r < ROWS; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        if (Math.abs(estimate[r][p] - exact[r][p]) <= 1.96 * se[r][p]) {
          covered++;
        }
      }
    }
    double share = covered / (double) (ROWS * PLAYERS);
    assertTrue(share > 0.80 && share < 0.995, "share of errors within 1.96 standard errors: " + share);
  }

  @Test
  void sameSeedGivesIdenticalResultsForAnyPartitioning() {
    double[][] one = attributions(run("p1", "method.budget", "100", "input.partitions", "1"));
    double[][] five = attributions(run("p5", "method.budget", "100", "input.partitions", "5", "execution.batch_rows", "3"));
    double[][] otherSeed = attributions(run("seed", "method.budget", "100", "seed", "7"));
    for (int r = 0; r < ROWS; r++) {
      for (int p = 0; p < PLAYERS; p++) {
        assertEquals(one[r][p], five[r][p], 1e-12, "row " + r + " player " + p);
      }
    }
    assertTrue(meanAbsError(otherSeed) > 0 && !java.util.Arrays.deepEquals(one, otherSeed), "the seed matters");
  }
}
