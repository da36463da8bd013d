package org.attribution.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Renders the sample report in headless Chromium through {@code scripts/render-report.sh}, where
 * Chromium is installed: the page must lay out from the file alone into a real picture. The HTML
 * and PNG stay in {@code target/} to look at.
 */
class HtmlReportScreenshotTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** The charts' bar fill, {@code svg .bar} in the page's stylesheet. */
  private static final int BAR_RGB = 0x4b7fc4;

  @Test
  void chromiumRendersTheSampleReport() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "needs " + CHROMIUM);
    Path html = Path.of("target/report-sample.html");
    Path png = Path.of("target/report-sample.png");
    Files.createDirectories(html.getParent());
    Files.writeString(html, HtmlReport.render(SampleReports.lendingClub()), StandardCharsets.UTF_8);
    Files.deleteIfExists(png);

    ProcessBuilder builder = new ProcessBuilder("bash", "scripts/render-report.sh", html.toString(), png.toString())
        .redirectErrorStream(true);
    builder.environment().put("CHROMIUM", CHROMIUM.toString());
    Process process = builder.start();
    boolean finished = process.waitFor(120, TimeUnit.SECONDS);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(finished, "chromium did not finish in 120 s");
    assertEquals(0, process.exitValue(), output);

    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(1280, image.getWidth());
    assertEquals(2400, image.getHeight());
    Set<Integer> colours = new HashSet<>();
    int barPixels = 0;
    for (int y = 0; y < image.getHeight(); y += 2) {
      for (int x = 0; x < image.getWidth(); x += 2) {
        int rgb = image.getRGB(x, y) & 0xffffff;
        colours.add(rgb);
        barPixels += rgb == BAR_RGB ? 1 : 0;
      }
    }
    // Text, cards, heat cells and bars give hundreds of colours; a blank or error page a handful.
    assertTrue(colours.size() > 200, "only " + colours.size() + " colours: " + png.toAbsolutePath());
    assertTrue(barPixels > 1000, "no chart bars drawn: " + png.toAbsolutePath());
  }
}
