package org.attribution.output;

import static org.attribution.output.ReportFormat.esc;
import static org.attribution.output.ReportFormat.num;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * An image's per-pixel values as an inline SVG grid, white for 0 to dark blue for the largest
 * value, each cell with its value as a tooltip: the way the saliency literature shows attribution
 * maps. Example rows are small PNG images instead: a report shows a few per target, and an image
 * of thousands of pixels drawn as SVG cells would make it megabytes.
 */
final class HeatMap {

  private static final int CELL = 22;
  private static final int LEGEND = 22;

  private HeatMap() {}

  /**
   * @param values {@code height x width} non-negative values, row-major
   * @param title what the map shows, for its caption and accessible name
   */
  static String render(int height, int width, double[] values, String title) {
    double max = 0;
    for (double v : values) {
      max = Math.max(max, v);
    }
    int w = width * CELL;
    int h = height * CELL + LEGEND;
    StringBuilder svg = new StringBuilder();
    svg.append("<svg class=\"heatmap\" role=\"img\" viewBox=\"0 0 ").append(w).append(' ').append(h)
        .append("\" width=\"").append(w).append("\" height=\"").append(h).append("\"><title>").append(esc(title))
        .append("</title>");
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = values[y * width + x];
        svg.append("<rect x=\"").append(x * CELL).append("\" y=\"").append(y * CELL).append("\" width=\"")
            .append(CELL).append("\" height=\"").append(CELL).append("\" fill=\"").append(color(max == 0 ? 0 : v / max))
            .append("\"><title>").append(esc("pixel (" + y + ", " + x + "): " + num(v))).append("</title></rect>");
      }
    }
    svg.append("<rect x=\"0\" y=\"0\" width=\"").append(w).append("\" height=\"").append(height * CELL)
        .append("\" fill=\"none\" stroke=\"#98a2b3\"/>");
    svg.append("<text class=\"tick\" x=\"0\" y=\"").append(height * CELL + 15).append("\">max ")
        .append(esc(num(max))).append("</text></svg>");
    return svg.toString();
  }

  /** How an example image's values map to colours. */
  enum Palette {
    /** An input image: the lowest value white, the highest black, as ink on paper. */
    INPUT,
    /** Signed attributions: negative blue, 0 white, positive red, scaled to the largest |value|. */
    SIGNED
  }

  /**
   * A {@code height x width} image as an inline PNG, drawn {@code size} pixels wide with its
   * pixels kept sharp.
   *
   * @param values row-major values
   * @param title the image's accessible name and tooltip
   */
  static String png(int height, int width, double[] values, Palette palette, String title, int size) {
    double low = Double.POSITIVE_INFINITY;
    double high = Double.NEGATIVE_INFINITY;
    for (double v : values) {
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    double largest = Math.max(Math.abs(low), Math.abs(high));
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        double v = values[y * width + x];
        image.setRGB(x, y, palette == Palette.INPUT
            ? grey(high > low ? (v - low) / (high - low) : 0)
            : diverging(largest > 0 ? v / largest : 0));
      }
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot draw the image " + title + ": " + e.getMessage(), e);
    }
    int shown = Math.round((float) size * height / width);
    return "<img class=\"pixels\" width=\"" + size + "\" height=\"" + shown + "\" alt=\"" + esc(title) + "\" title=\""
        + esc(title) + "\" src=\"data:image/png;base64," + Base64.getEncoder().encodeToString(bytes.toByteArray())
        + "\">";
  }

  /** 0 white to 1 black. */
  static int grey(double fraction) {
    int level = (int) Math.round(255 * (1 - Math.max(0, Math.min(1, fraction))));
    return level << 16 | level << 8 | level;
  }

  /** -1 blue through 0 white to 1 red. */
  static int diverging(double signed) {
    double f = Math.max(-1, Math.min(1, signed));
    return fromWhite(Math.abs(f), f < 0 ? 0x2166ac : 0xb2182b);
  }

  /** White to dark blue. */
  static String color(double fraction) {
    return String.format(Locale.ROOT, "#%06x", fromWhite(Math.max(0, Math.min(1, fraction)), 0x143c96));
  }

  /** The colour {@code t} of the way from white to {@code end} (0xRRGGBB), channel by channel. */
  private static int fromWhite(double t, int end) {
    int rgb = 0;
    for (int shift = 16; shift >= 0; shift -= 8) {
      int channel = (int) Math.round(255 + t * ((end >> shift & 0xff) - 255));
      rgb |= channel << shift;
    }
    return rgb;
  }
}
