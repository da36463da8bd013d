package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.model.ModelFixtures;
import org.attribution.output.RunManifest;
import org.attribution.quality.QualityChange;
import org.attribution.quality.QualityMeasure;
import org.attribution.quality.TargetQualitySummary;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quality measures through the whole job, on the TorchScript linear model: Integrated
 * Gradients is exact there, so infidelity is zero and deleting by attribution beats chance; the
 * samples, and so every measure and the report's plots, do not depend on the partitioning; a
 * second run compares its quality with the first.
 */
class QualityJobTest {

  static final int ROWS = 300;
  @TempDir static Path dir;
  static SparkSession spark;
  static Dataset<Row> data;

  @BeforeAll
  static void data() {
    spark = SparkTestSession.get();
    SplittableRandom random = new SplittableRandom(3);
    List<Row> rows = new ArrayList<>();
    for (int r = 0; r < ROWS; r++) {
      rows.add(RowFactory.create("row-" + r, random.nextDouble(-3, 3), random.nextDouble(-3, 3),
          random.nextDouble(-3, 3), random.nextDouble(-3, 3)));
    }
    StructType schema = DataTypes.createStructType(List.of(
        DataTypes.createStructField("id", DataTypes.StringType, false),
        DataTypes.createStructField("x0", DataTypes.DoubleType, false),
        DataTypes.createStructField("x1", DataTypes.DoubleType, false),
        DataTypes.createStructField("x2", DataTypes.DoubleType, false),
        DataTypes.createStructField("x3", DataTypes.DoubleType, false)));
    data = spark.createDataFrame(rows, schema);
  }

  static JobConfig config(Path out, int partitions) {
    return JobConfigLoader.parse("""
        job_name: quality
        input: {path: unused, id_column: id, partitions: %d}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: all}
        method: {name: integrated_gradients, baseline: mean, steps: 4}
        quality: {rows: 60, max_share: 1, perturbations: 4}
        report: {sample_rows: 90}
        output: {path: %s}
        """.formatted(partitions, ModelFixtures.path(ModelFixtures.LINEAR), out), "quality.yaml", Map.of());
  }

  @Test
  void qualityIsMeasuredOnASampleThatDoesNotDependOnPartitioning() throws Exception {
    Path one = dir.resolve("one");
    Path many = dir.resolve("many");
    AttributionResult first = AttributionJob.builder(spark).config(config(one, 1)).input(data).runId("q-1").execute();
    AttributionResult spread = AttributionJob.builder(spark).config(config(many, 7)).input(data).runId("q-7").execute();

    RunManifest.Quality quality = first.manifest().quality();
    assertTrue(quality.enabled());
    assertTrue(quality.rows() > 30 && quality.rows() < 90, "about 60 rows: " + quality.rows());
    assertTrue(quality.evaluations() > 0);
    assertEquals(2, quality.targets().size(), "both outputs of the linear model");
    for (TargetQualitySummary t : quality.targets()) {
      assertEquals(quality.rows(), t.rows());
      Map<String, QualityMeasure> m = byName(t);
      assertEquals(0, m.get(QualityMeasure.INFIDELITY).value(), 1e-8, "IG is exact on a linear model");
      assertTrue(m.get(QualityMeasure.DELETION).value() > 0, "beats a random order");
      assertTrue(m.get(QualityMeasure.INSERTION).value() > 0, "beats a random order");
      assertTrue(m.get(QualityMeasure.SENSITIVITY).value() > 0, "IG moves with the input");
      assertEquals(ROWS, m.get(QualityMeasure.COMPLETENESS).rows(), "completeness over every row");
      for (int j = 1; j < t.deletion().length; j++) {
        // The mean ranked curve starts at mean f(x) and ends at f(baseline), below the random one.
        assertTrue(t.deletion()[j] <= t.deletionRandom()[j] + 1e-5);
      }
    }

    List<Row> table = spark.read().parquet(one.resolve("quality").toString()).orderBy("target", "measure")
        .collectAsList();
    assertEquals(2 * 5, table.size(), "five measures per target");
    List<Row> other = spark.read().parquet(many.resolve("quality").toString()).orderBy("target", "measure")
        .collectAsList();
    for (int i = 0; i < table.size(); i++) {
      for (String column : List.of("target", "measure", "value", "standard_error", "rows")) {
        assertEquals(table.get(i).<Object>getAs(column), other.get(i).<Object>getAs(column),
            column + " of " + table.get(i).getAs("measure"));
      }
    }
    assertEquals(plots(first), plots(spread), "the same sampled rows, drawn the same way");
    assertEquals(2, count(plots(first), "class=\"chart summary-plot\""));
  }

  @Test
  void aSecondRunComparesItsQualityWithTheFirst() {
    Path out = dir.resolve("history");
    AttributionJob.builder(spark).config(config(out, 2)).input(data).runId("h-1").execute();
    AttributionResult second = AttributionJob.builder(spark).config(config(out, 3)).input(data).runId("h-2").execute();
    RunManifest.Quality quality = second.manifest().quality();
    assertEquals("h-1", quality.comparedToRun());
    assertEquals(2 * 5, quality.changes().size());
    for (QualityChange change : quality.changes()) {
      assertEquals(0, change.change(), 0, "the same rows, measured the same way: " + change.measure());
      assertTrue(!change.significant());
    }
    List<Row> table = spark.read().parquet(out.resolve("quality").toString()).collectAsList();
    for (Row row : table) {
      if (row.getAs("run_id").equals("h-1")) {
        assertTrue(row.isNullAt(row.fieldIndex("compared_to_run")), "the first run has nothing to compare with");
        assertTrue(row.isNullAt(row.fieldIndex("change")));
      } else {
        assertEquals("h-1", row.<String>getAs("compared_to_run"));
        assertEquals(row.<Double>getAs("value"), row.<Double>getAs("previous_value"), row.<String>getAs("measure"));
        assertEquals(0.0, row.<Double>getAs("change"));
        assertEquals(false, row.getAs("significant"));
      }
    }
    assertEquals(2 * 5, table.stream().filter(r -> r.getAs("run_id").equals("h-2")).count());
  }

  @Test
  void qualityCanBeTurnedOff() {
    Path out = dir.resolve("off");
    JobConfig config = JobConfigLoader.parse("""
        input: {path: unused, id_column: id}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: class, class_index: 1}
        method: {name: integrated_gradients, steps: 4}
        quality: {enabled: false}
        report: {sample_rows: 0}
        output: {path: %s}
        """.formatted(ModelFixtures.path(ModelFixtures.LINEAR), out), "off.yaml", Map.of());
    RunManifest.Quality quality = AttributionJob.builder(spark).config(config).input(data).execute().manifest()
        .quality();
    assertTrue(!quality.enabled());
    assertEquals(0, quality.evaluations());
    List<Row> rows = spark.read().parquet(out.resolve("quality").toString()).collectAsList();
    assertEquals(1, rows.size(), "the completeness gap alone");
    assertEquals(QualityMeasure.COMPLETENESS, rows.get(0).getAs("measure"));
  }

  /**
   * The report's sample is the explain stage's own rows, kept as it explains them: with the
   * quality measures off, the pass spends no model evaluation, and each target's summary plot has
   * one dot per drawn row and feature, whatever the partitioning.
   */
  @Test
  void theReportsSampleCostsNoEvaluationOfItsOwn() throws Exception {
    String yaml = """
        input: {path: unused, id_column: id, partitions: %d}
        features: {columns: [x0, x1, x2, x3]}
        model: {path: %s}
        target: {mode: all}
        method: {name: integrated_gradients, baseline: mean, steps: 4}
        quality: {enabled: false}
        report: {sample_rows: 90}
        output: {path: %s}
        """;
    List<String> plots = new ArrayList<>();
    for (int partitions : List.of(1, 5)) {
      JobConfig config = JobConfigLoader.parse(yaml.formatted(partitions, ModelFixtures.path(ModelFixtures.LINEAR),
          dir.resolve("kept-" + partitions)), "kept.yaml", Map.of());
      AttributionResult result = AttributionJob.builder(spark).config(config).input(data).execute();
      assertEquals(0, result.manifest().quality().evaluations(), "the sample was explained once, by the explain stage");
      long drawn = data.select(xxhash64(lit(config.seed()), col("id"))).collectAsList().stream()
          .filter(r -> ReportRows.drawn(r.getLong(0), 90.0 / ROWS)).count();
      assertTrue(drawn > 60 && drawn < 120, "about 90 rows: " + drawn);
      String html = plots(result);
      assertEquals(2, count(html, "class=\"chart summary-plot\""));
      assertEquals(2 * drawn * 4, count(html.replaceAll("(?s)<svg class=\"chart dependence-plot\".*?</svg>", ""),
          "<circle "), "one dot per drawn row and feature in each target's summary plot");
      plots.add(html);
    }
    assertEquals(plots.get(0), plots.get(1), "the same rows and attributions, however the input is split");
  }

  private static Map<String, QualityMeasure> byName(TargetQualitySummary t) {
    Map<String, QualityMeasure> byName = new java.util.HashMap<>();
    t.measures().forEach(m -> byName.put(m.measure(), m));
    return byName;
  }

  /** The report's summary and dependence plots. */
  private static String plots(AttributionResult result) throws Exception {
    String html = Files.readString(Path.of(java.net.URI.create(
        result.manifest().outputs().get("report").startsWith("file:") ? result.manifest().outputs().get("report")
            : "file://" + result.manifest().outputs().get("report"))), StandardCharsets.UTF_8);
    StringBuilder plots = new StringBuilder();
    Matcher m = Pattern.compile("(?s)<svg class=\"chart (summary|dependence)-plot\".*?</svg>").matcher(html);
    while (m.find()) {
      plots.append(m.group());
    }
    assertNotNull(plots.length() > 0 ? plots : null);
    return plots.toString();
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }
}
