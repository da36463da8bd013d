package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.aggregate.TargetQuality;
import org.attribution.config.GradCamConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfigLoader;
import org.attribution.method.GradCam;
import org.attribution.model.InputShape;
import org.attribution.model.ModelFixtures;
import org.attribution.model.OutputTransform;
import org.attribution.model.TorchScriptModel;
import org.attribution.output.ResultSchema;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image sample's job files (conf/digits-*.yaml) through the whole job: the CNN takes each
 * row's 64 pixels reshaped to [1, 8, 8]; with patches, the 16 2 x 2 patches are the players.
 */
class DigitsJobTest {

  static final int ROWS = 300;
  @TempDir static Path dir;
  static SparkSession spark;

  @BeforeAll
  static void spark() {
    spark = SparkTestSession.get();
  }

  static AttributionResult run(String jobFile, String... overrides) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", dir.resolve(jobFile).toString());
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    return AttributionJob.builder(spark).config(JobConfigLoader.load(Path.of("conf", jobFile), all)).execute();
  }

  /** Integrated Gradients per pixel: complete to within 1% for every predicted class. */
  @Test
  void integratedGradientsPerPixel() {
    AttributionResult result = run("digits-ig.yaml");
    assertEquals(ROWS, result.manifest().rows().explained());
    assertEquals(64, result.manifest().features().size());
    assertEquals(10, result.importance().quality().size(), "every digit is predicted for some image");
    for (TargetQuality quality : result.importance().quality()) {
      double relative = quality.stats().meanAbsGap() / quality.stats().meanAbsDelta();
      assertTrue(relative < 0.01, quality.toString());
    }
    // Pixel 0 is blank in every image of the sample: from a blank baseline its attribution is
    // exactly 0, however the CNN uses it.
    for (ImportanceRow row : result.importance().rows()) {
      if (row.feature().equals("pixels_0")) {
        assertEquals(0.0, row.meanAbsAttribution(), row.toString());
      }
    }
    assertTrue(Files.exists(Path.of(result.manifest().outputs().get("report").replace("file:", ""))));
  }

  /** Kernel SHAP over 2 x 2 patches: 16 players, whose values add up to f(x) - E f. */
  @Test
  void kernelShapOverPatches() {
    AttributionResult result = run("digits-shap-patches.yaml", "method.budget", "64", "background.k", "3");
    assertEquals(16, result.manifest().features().size());
    assertEquals("patch_0_0", result.manifest().features().get(0));
    for (TargetQuality quality : result.importance().quality()) {
      assertTrue(quality.stats().maxAbsGap() < 1e-4, quality.toString());
    }
  }

  /**
   * Permutation importance of patches: the four central patches, where the digits' strokes are,
   * matter more than any corner patch, where nearly every image is blank.
   */
  @Test
  void permutationImportanceOfPatches() {
    AttributionResult result = run("digits-permutation.yaml", "method.repeats", "2");
    List<ImportanceRow> rows = result.importance().overall(0);
    assertEquals(16, rows.size());
    Map<String, Integer> rank = new LinkedHashMap<>();
    rows.forEach(row -> rank.put(row.feature(), row.rank()));
    for (String centre : List.of("patch_1_1", "patch_1_2", "patch_2_1", "patch_2_2")) {
      for (String corner : List.of("patch_0_0", "patch_0_3", "patch_3_0", "patch_3_3")) {
        assertTrue(rank.get(centre) < rank.get(corner), centre + " against " + corner + ": " + rank);
      }
    }
    assertEquals(ROWS, rows.get(0).rows());
  }

  /**
   * Grad-CAM per pixel: the digits CNN's last convolution keeps the 8 x 8 resolution, so each
   * row's attributions are its map itself (one channel), as {@link GradCam#maps} computes it from
   * the model directly; f(x) is the reference and the gap, the sum of the map, is not flagged; the
   * report draws the maps.
   */
  @Test
  void gradCamPerPixel() throws Exception {
    AttributionResult result = run("digits-grad-cam.yaml", "output.per_row", "true");
    assertEquals(ROWS, result.manifest().rows().explained());
    assertEquals(64, result.manifest().features().size());
    List<Row> rows = spark.read().parquet(result.store().table("per_row"))
        .filter(col("run_id").equalTo(result.runId())).drop("run_date", "run_id").orderBy("row_id").collectAsList();
    List<Row> images = spark.read().json("data-sample/digits/digits.jsonl").orderBy("id").collectAsList();
    assertEquals(ROWS, rows.size());
    int checked = 12;
    float[] pixels = new float[checked * 64];
    int[] targets = new int[checked];
    for (int r = 0; r < checked; r++) {
      assertEquals(images.get(r).<Long>getAs("id"), rows.get(r).<Long>getAs("row_id"));
      List<Double> image = images.get(r).getList(images.get(r).fieldIndex("pixels"));
      for (int p = 0; p < 64; p++) {
        pixels[r * 64 + p] = image.get(p).floatValue();
      }
      targets[r] = rows.get(r).<Integer>getAs("target");
    }
    float[] outputs = new float[checked];
    float[] maps;
    try (TorchScriptModel model = TorchScriptModel.load("digits", Files.readAllBytes(
        Path.of("data-sample/digits/digits_cnn.pt")), Device.cpu(), OutputTransform.SOFTMAX,
        new InputShape(List.of(1, 8, 8)))) {
      maps = GradCam.maps(model.activationModel(), pixels, checked, targets, outputs);
    }
    for (int r = 0; r < checked; r++) {
      Row row = rows.get(r);
      double sum = 0;
      for (int p = 0; p < 64; p++) {
        double value = row.getDouble(ResultSchema.FIXED_FIELDS + p);
        assertEquals(maps[r * 64 + p], value, 1e-6 + 1e-5 * Math.abs(value), "row " + r + " pixel " + p);
        sum += value;
      }
      assertEquals(outputs[r], row.<Double>getAs("prediction"), 1e-6);
      assertEquals(outputs[r], row.<Double>getAs("reference"), 1e-6);
      assertEquals(sum, row.<Double>getAs("completeness_gap"), 1e-9 + 1e-9 * sum);
    }
    for (Row row : rows) {
      for (int p = 0; p < 64; p++) {
        assertTrue(row.getDouble(ResultSchema.FIXED_FIELDS + p) >= 0, "a Grad-CAM map is never negative");
      }
    }
    SampleNewMethodsTest.assertNotFlagged(result);
    assertTrue(result.manifest().modelTaskSeconds() > 0, "Grad-CAM's model calls are timed like any method's");
    String report = Files.readString(Path.of(result.store().report(result.runId())));
    assertTrue(report.contains("id=\"image-maps\"") && report.contains("<svg class=\"heatmap\""),
        "the report draws the maps");
    assertTrue(report.contains("<h3>Example rows</h3>") && report.contains("src=\"data:image/png;base64,"),
        "and sampled digits beside their own maps");
  }

  /** Grad-CAM needs the model's image shape, which the job file says before anything runs. */
  @Test
  void gradCamWithoutAnImageShapeIsRefused() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> run("digits-grad-cam.yaml", "model.input_shape", "[64]"));
    assertEquals("Cannot run job: 'method.name: grad_cam' needs image rows: 'model.input_shape: [channels, height,"
        + " width]', got [64]", e.getMessage());
  }

  /**
   * A model whose module does not export the two methods is refused as soon as it loads, on the
   * driver, naming the contract.
   */
  @Test
  void aModelWithoutTheTwoMethodsIsRefusedWhenItLoads() {
    try (TorchScriptModel linear = TorchScriptModel.load(ModelFixtures.path(ModelFixtures.LINEAR), Device.cpu(),
        OutputTransform.IDENTITY, 4)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> MethodFactory.checkModel(new GradCamConfig(), linear));
      assertTrue(e.getMessage().startsWith("Cannot use model linear.pt for Grad-CAM: it needs a TorchScript module"
          + " exporting activations(x), the last convolution's activations, and from_activations(a), the outputs"
          + " from them (@torch.jit.export)"), e.getMessage());
    }
  }
}
