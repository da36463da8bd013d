package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.aggregate.TargetQuality;
import org.attribution.config.JobConfigLoader;
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
}
