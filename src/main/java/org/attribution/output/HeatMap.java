package org.attribution.output;

import static org.attribution.output.ReportFormat.esc;
import static org.attribution.output.ReportFormat.num;

import java.util.Locale;

/**
 * An image's per-pixel values as an inline SVG grid, white for 0 to dark blue for the largest
 * value, each cell with its value as a tooltip: the way the saliency literature shows attribution
 * maps.
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

  /** White to dark blue. */
  static String color(double fraction) {
    double f = Math.max(0, Math.min(1, fraction));
    int r = (int) Math.round(255 + f * (20 - 255));
    int g = (int) Math.round(255 + f * (60 - 255));
    int b = (int) Math.round(255 + f * (150 - 255));
    return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
  }
}
