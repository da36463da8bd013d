package org.attribution.output;

import static org.attribution.output.ReportFormat.esc;
import static org.attribution.output.ReportFormat.num;

import java.util.List;
import java.util.Locale;
import org.attribution.aggregate.ImportanceRow;

/**
 * A horizontal bar chart of mean |attribution| with 95% confidence whiskers, as inline SVG.
 *
 * <p>Every bar is a {@code rect class="bar"} and every whisker a {@code g class="ci"}; the page's
 * stylesheet colours them. A bar whose interval is undefined (one row) has no whisker.
 */
final class BarChart {

  private static final int WIDTH = 920;
  private static final int ROW_HEIGHT = 24;
  private static final int BAR_HEIGHT = 14;
  private static final int CAP_HEIGHT = 8;
  private static final int TOP = 8;
  /** Tick labels and the axis title sit below the plot. */
  private static final int BOTTOM = 46;
  /** Room right of the longest bar for its value label. */
  private static final int RIGHT = 72;
  private static final int MIN_LABEL_WIDTH = 90;
  private static final int MAX_LABEL_WIDTH = 250;
  /** Average advance of a 12px system sans-serif glyph; the SVG cannot measure text itself. */
  private static final double CHAR_WIDTH = 6.8;
  private static final int TARGET_TICKS = 5;

  private BarChart() {}

  /**
   * Renders the chart.
   *
   * @param bars the features to draw, top to bottom
   * @param title the chart's accessible title
   */
  static String render(List<ImportanceRow> bars, String title) {
    int labelWidth = labelWidth(bars);
    int plotLeft = labelWidth + 12;
    int plotWidth = WIDTH - plotLeft - RIGHT;
    int plotBottom = TOP + bars.size() * ROW_HEIGHT;
    int height = plotBottom + BOTTOM;
    double largest = largest(bars);
    double step = tickStep(largest);
    // The epsilon keeps 0.12 / 0.02 = 6.000000000000001 from adding an empty seventh tick.
    int ticks = Math.max(1, (int) Math.ceil(largest / step - 1e-9));
    double axisMax = ticks * step;

    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
        WIDTH, height, WIDTH, height));
    svg.append("<title>").append(esc(title)).append("</title>");

    for (int t = 0; t <= ticks; t++) {
      double value = t * step;
      double x = plotLeft + plotWidth * value / axisMax;
      svg.append(String.format(Locale.ROOT,
          "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x, TOP, x, plotBottom));
      svg.append(String.format(Locale.ROOT,
          "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
          x, plotBottom + 16, esc(num(value))));
    }
    svg.append(String.format(Locale.ROOT,
        "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
        plotLeft, plotBottom, plotLeft + plotWidth, plotBottom));
    svg.append(String.format(Locale.ROOT,
        "<text class=\"axis-title\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
            + "mean |attribution| \u00b7 whiskers: 95%% confidence interval</text>",
        plotLeft + plotWidth / 2.0, plotBottom + 38));

    for (int i = 0; i < bars.size(); i++) {
      ImportanceRow bar = bars.get(i);
      double centre = TOP + i * ROW_HEIGHT + ROW_HEIGHT / 2.0;
      double end = plotLeft + plotWidth * Math.max(0, bar.meanAbsAttribution()) / axisMax;
      boolean hasCi = Double.isFinite(bar.ciLow()) && Double.isFinite(bar.ciHigh());
      svg.append("<g class=\"row\"><title>").append(esc(bar.feature())).append(": ")
          .append(esc(num(bar.meanAbsAttribution())));
      if (hasCi) {
        svg.append(" (95% CI ").append(esc(num(bar.ciLow()))).append(" to ")
            .append(esc(num(bar.ciHigh()))).append(')');
      }
      svg.append("</title>");
      svg.append(String.format(Locale.ROOT,
          "<text class=\"label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"central\">%s</text>",
          labelWidth, centre, esc(truncate(bar.feature(), labelWidth))));
      // A zero bar still gets a sliver, so that a feature with no effect visibly has a row.
      svg.append(String.format(Locale.ROOT,
          "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%.1f\" height=\"%d\" rx=\"2\"/>",
          plotLeft, centre - BAR_HEIGHT / 2.0, Math.max(1, end - plotLeft), BAR_HEIGHT));
      double labelX = end;
      if (hasCi) {
        // A normal-approximation interval of a mean |a| can dip below 0; the axis cannot.
        double low = plotLeft + plotWidth * Math.max(0, bar.ciLow()) / axisMax;
        double high = plotLeft + plotWidth * Math.max(0, bar.ciHigh()) / axisMax;
        svg.append(String.format(Locale.ROOT,
            "<g class=\"ci\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
                + "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>",
            low, centre, high, centre,
            low, centre - CAP_HEIGHT / 2.0, low, centre + CAP_HEIGHT / 2.0,
            high, centre - CAP_HEIGHT / 2.0, high, centre + CAP_HEIGHT / 2.0));
        labelX = Math.max(labelX, high);
      }
      svg.append(String.format(Locale.ROOT,
          "<text class=\"value\" x=\"%.1f\" y=\"%.1f\" dominant-baseline=\"central\">%s</text>",
          labelX + 6, centre, esc(num(bar.meanAbsAttribution()))));
      svg.append("</g>");
    }
    return svg.append("</svg>").toString();
  }

  private static double largest(List<ImportanceRow> bars) {
    double max = 0;
    for (ImportanceRow bar : bars) {
      max = Math.max(max, bar.meanAbsAttribution());
      if (Double.isFinite(bar.ciHigh())) {
        max = Math.max(max, bar.ciHigh());
      }
    }
    return max;
  }

  /** A 1, 2, 2.5 or 5 times a power of ten, giving about {@link #TARGET_TICKS} ticks. */
  static double tickStep(double max) {
    if (!(max > 0) || !Double.isFinite(max)) {
      return 1;
    }
    double raw = max / TARGET_TICKS;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double normalised = raw / magnitude;
    double nice = normalised <= 1 ? 1 : normalised <= 2 ? 2 : normalised <= 2.5 ? 2.5 : normalised <= 5 ? 5 : 10;
    return nice * magnitude;
  }

  private static int labelWidth(List<ImportanceRow> bars) {
    int longest = 0;
    for (ImportanceRow bar : bars) {
      longest = Math.max(longest, bar.feature().length());
    }
    return (int) Math.min(MAX_LABEL_WIDTH, Math.max(MIN_LABEL_WIDTH, Math.ceil(longest * CHAR_WIDTH)));
  }

  /** Shortens a name to fit the label column; the row's title keeps the full name. */
  private static String truncate(String name, int width) {
    int fits = (int) (width / CHAR_WIDTH);
    return name.length() <= fits ? name : name.substring(0, Math.max(1, fits - 1)) + "\u2026";
  }
}
