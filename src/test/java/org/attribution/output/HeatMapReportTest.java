package org.attribution.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.config.FeaturesConfig;
import org.attribution.config.ModelConfig;
import org.junit.jupiter.api.Test;

/** Heat maps of an image model's importance: pixels and patches placed where they lie. */
class HeatMapReportTest {

  static final ModelConfig IMAGE_MODEL = new ModelConfig("m.pt", null, null, null, List.of(1, 4, 4));

  static FeaturesConfig vector(FeaturesConfig.Patches patches) {
    return new FeaturesConfig(null, null, null, null, "pixels", null, null, patches);
  }

  @Test
  void patchesCoverTheirPixelsAndPixelsThemselves() {
    List<String> patches = List.of("patch_0_0", "patch_0_1", "patch_1_0", "patch_1_1");
    ImageLayout layout = ImageLayout.of(IMAGE_MODEL, vector(new FeaturesConfig.Patches(List.of(2, 2))), patches);
    double[] pixels = layout.pixels(Map.of("patch_0_1", 2.0, "patch_1_0", 3.0));
    assertArrayEquals(new double[] {0, 0, 2, 2, 0, 0, 2, 2, 3, 3, 0, 0, 3, 3, 0, 0}, pixels);

    List<String> names = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      names.add("pixels_" + i);
    }
    ImageLayout perPixel = ImageLayout.of(IMAGE_MODEL, vector(null), names);
    double[] one = perPixel.pixels(Map.of("pixels_6", 1.5));
    assertEquals(1.5, one[6]);
    assertEquals(1.5, java.util.Arrays.stream(one).sum());
  }

  @Test
  void flatModelsHaveNoLayout() {
    assertNull(ImageLayout.of(new ModelConfig("m.pt", null, null, null, null), vector(null), List.of("a")));
  }

  @Test
  void theReportDrawsEachTargetsMapWithTheLargestPixelDarkest() {
    List<ImportanceRow> importance = new ArrayList<>();
    List<String> patches = List.of("patch_0_0", "patch_0_1", "patch_1_0", "patch_1_1");
    for (int target = 0; target < 2; target++) {
      for (int p = 0; p < 4; p++) {
        // target 0: patch_1_1 largest; target 1: patch_0_0 largest
        int rank = target == 0 ? 4 - p : p + 1;
        importance.add(SampleReports.overall(target, "class" + target, patches.get(p), 1.0 / rank, rank));
      }
    }
    ReportData base = SampleReports.withImportance(importance);
    ImageLayout layout = ImageLayout.of(IMAGE_MODEL, vector(new FeaturesConfig.Patches(List.of(2, 2))), patches);
    ReportData data = new ReportData(base.run(), base.rows(), base.rejectReasons(), base.completeness(),
        base.baseValues(), base.importance(), null, null, 5, layout, null, null);

    String html = HtmlReport.render(data);

    assertTrue(html.contains("id=\"image-maps\""));
    // one overview map and one in each target's section, per target
    Matcher maps = Pattern.compile("<svg class=\"heatmap\"").matcher(html);
    int count = 0;
    while (maps.find()) {
      count++;
    }
    assertEquals(4, count);
    String darkest = HeatMap.color(1);
    String first = html.substring(html.indexOf("<svg class=\"heatmap\""));
    first = first.substring(0, first.indexOf("</svg>"));
    // target 0's first map: pixel (3, 3) is in patch_1_1, pixel (0, 0) in patch_0_0 (a quarter as large)
    assertTrue(first.contains("fill=\"" + darkest + "\"><title>pixel (3, 3)"), first);
    assertFalse(first.contains("fill=\"" + darkest + "\"><title>pixel (0, 0)"), first);
    assertFalse(html.toLowerCase(java.util.Locale.ROOT).contains("http://"));
  }
}
