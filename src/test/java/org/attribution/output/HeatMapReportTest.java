package org.attribution.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.config.FeaturesConfig;
import org.attribution.config.ModelConfig;
import javax.imageio.ImageIO;
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
  void aRowsImageIsTheMeanOfItsChannels() {
    ImageLayout layout = ImageLayout.of(new ModelConfig("m.pt", null, null, null, List.of(2, 1, 2)), vector(null),
        List.of("pixels_0", "pixels_1", "pixels_2", "pixels_3"));
    // channel 0: 1, 2; channel 1: 3, 6
    assertArrayEquals(new double[] {2, 4}, layout.image(new float[] {1, 2, 3, 6}));
  }

  /**
   * Each target's section shows sampled rows, each image beside its own signed map: the row's
   * brightest pixel black, a positive attribution red, a negative one blue, a zero one white.
   */
  @Test
  void exampleRowsShowTheImageBesideItsOwnSignedMap() throws Exception {
    List<String> pixels = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      pixels.add("pixels_" + i);
    }
    List<ImportanceRow> importance = new ArrayList<>();
    for (int p = 0; p < 16; p++) {
      importance.add(SampleReports.overall(0, "seven", pixels.get(p), 1.0 / (p + 1), p + 1));
    }
    int rows = 6;
    double[][] values = new double[rows][16];
    double[][] attributions = new double[rows][16];
    float[][] inputs = new float[rows][16];
    for (int r = 0; r < rows; r++) {
      inputs[r][5] = 9;          // the ink: pixel (1, 1)
      attributions[r][5] = 2;    // raises the output
      attributions[r][10] = -1;  // pixel (2, 2) lowers it
    }
    ReportSample sample = new ReportSample(pixels, pixels.stream().map(p -> List.<String>of()).toList(),
        List.of(new ReportSample.Target(0, "seven", values, attributions, inputs)));
    ReportData base = SampleReports.withImportance(importance);
    ReportData data = new ReportData(base.run(), base.rows(), base.rejectReasons(), base.completeness(),
        base.baseValues(), base.importance(), null, null, 5, ImageLayout.of(IMAGE_MODEL, vector(null), pixels), null,
        sample);

    String html = HtmlReport.render(data);

    assertTrue(html.contains("<h3>Example rows</h3>"), "example rows");
    List<BufferedImage> images = new ArrayList<>();
    Matcher png = Pattern.compile("src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(html);
    while (png.find()) {
      images.add(ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(png.group(1)))));
    }
    assertEquals(8, images.size(), "four rows, each an image and its map");
    BufferedImage image = images.get(0);
    BufferedImage map = images.get(1);
    assertEquals(4, image.getWidth());
    assertEquals(0x000000, image.getRGB(1, 1) & 0xffffff, "the brightest pixel is black");
    assertEquals(0xffffff, image.getRGB(0, 0) & 0xffffff, "the lowest white");
    assertEquals(HeatMap.diverging(1), map.getRGB(1, 1) & 0xffffff, "largest positive: full red");
    assertEquals(HeatMap.diverging(-0.5), map.getRGB(2, 2) & 0xffffff, "half as large, negative: light blue");
    assertEquals(0xffffff, map.getRGB(3, 0) & 0xffffff, "no attribution: white");
    assertTrue((HeatMap.diverging(1) >> 16 & 0xff) > (HeatMap.diverging(1) & 0xff), "positive is red");
    assertTrue((HeatMap.diverging(-1) & 0xff) > (HeatMap.diverging(-1) >> 16 & 0xff), "negative is blue");
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
