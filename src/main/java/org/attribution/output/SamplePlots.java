package org.attribution.output;

import static org.attribution.output.ReportFormat.esc;
import static org.attribution.output.ReportFormat.num;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.attribution.quality.TargetQualitySummary;

/**
 * The report's plots of sampled rows and curves, as self-contained SVG: deletion and insertion
 * curves, the summary plot (one dot per sampled row and feature, at its attribution, coloured by
 * the feature's value) and dependence plots (attribution against the feature's value).
 */
final class SamplePlots {

  /** Features a summary plot shows: enough for the story, few enough to keep the page light. */
  static final int SUMMARY_FEATURES = 10;
  /** Features that get a dependence plot. */
  static final int DEPENDENCE_FEATURES = 3;

  private static final int WIDTH = 920;
  private static final int ROW_HEIGHT = 30;
  private static final int LABEL_WIDTH = 180;
  private static final int SMALL_WIDTH = 450;
  private static final int SMALL_HEIGHT = 260;
  private static final int PAD_LEFT = 58;
  private static final int PAD_RIGHT = 16;
  private static final int PAD_TOP = 26;
  private static final int PAD_BOTTOM = 44;
  /** Categories take these colours in turn. */
  private static final String[] PALETTE = {
      "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
  private static final String NO_VALUE = "#98a2b3";

  private SamplePlots() {}

  /** The deletion curves (ranked and random order) beside the insertion curves of one target. */
  static String curves(TargetQualitySummary t) {
    return curve("Deletion: players removed", "fraction of players removed", t.fractions(), t.deletion(),
        t.deletionRandom(), t.targetName())
        + curve("Insertion: players added to the reference", "fraction of players present", t.fractions(),
            t.insertion(), t.insertionRandom(), t.targetName());
  }

  private static String curve(String title, String xTitle, double[] x, double[] ranked, double[] random,
      String target) {
    double low = Math.min(Arrays.stream(ranked).min().orElse(0), Arrays.stream(random).min().orElse(0));
    double high = Math.max(Arrays.stream(ranked).max().orElse(1), Arrays.stream(random).max().orElse(1));
    // Headroom above the highest value, where the legend's two lines sit.
    Frame frame = new Frame(SMALL_WIDTH, SMALL_HEIGHT, 0, 1, low, high + 0.2 * (high - low));
    StringBuilder svg = frame.open("curve", title + " for target " + target + ", in the attributions' order"
        + " and in a random order", xTitle, "mean f");
    svg.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"%d\" y=\"%d\">%s</text>", PAD_LEFT, 16,
        esc(title)));
    svg.append(frame.polyline("ranked", x, ranked)).append(frame.polyline("random", x, random));
    svg.append(String.format(Locale.ROOT, "<g class=\"legend\"><line class=\"ranked\" x1=\"%d\" y1=\"%d\" x2=\"%d\""
        + " y2=\"%d\"/><text x=\"%d\" y=\"%d\">attribution order</text><line class=\"random\" x1=\"%d\" y1=\"%d\""
        + " x2=\"%d\" y2=\"%d\"/><text x=\"%d\" y=\"%d\">random order</text></g>",
        SMALL_WIDTH - 150, 12, SMALL_WIDTH - 130, 12, SMALL_WIDTH - 125, 16,
        SMALL_WIDTH - 150, 26, SMALL_WIDTH - 130, 26, SMALL_WIDTH - 125, 30));
    return svg.append("</svg>").toString();
  }

  /**
   * The features a target's plots show, most important first: by mean |attribution| over the
   * sampled rows.
   */
  static int[] topFeatures(ReportSample.Target t, int count) {
    int players = t.attributions().length == 0 ? 0 : t.attributions()[0].length;
    double[] meanAbs = new double[players];
    for (double[] row : t.attributions()) {
      for (int p = 0; p < players; p++) {
        meanAbs[p] += Math.abs(row[p]);
      }
    }
    return IntStream.range(0, players).boxed()
        .sorted(Comparator.<Integer>comparingDouble(p -> -meanAbs[p]).thenComparingInt(p -> p))
        .limit(count).mapToInt(Integer::intValue).toArray();
  }

  /**
   * The summary plot: a row per feature, one dot per sampled row at its attribution, coloured by
   * the feature's value from low (blue) to high (red), or by category.
   */
  static String summary(ReportSample sample, ReportSample.Target t) {
    int[] features = topFeatures(t, SUMMARY_FEATURES);
    double[][] a = t.attributions();
    double low = 0;
    double high = 0;
    for (double[] row : a) {
      for (int p : features) {
        low = Math.min(low, row[p]);
        high = Math.max(high, row[p]);
      }
    }
    int height = PAD_TOP + features.length * ROW_HEIGHT + PAD_BOTTOM;
    Frame frame = new Frame(WIDTH, height, low, high, 0, 1).withLeft(LABEL_WIDTH);
    StringBuilder svg = frame.open("summary-plot", "Summary plot for target " + t.targetName() + ": one dot per"
        + " sampled row and feature at its attribution, coloured by the feature's value", "attribution", null);
    double zero = frame.x(0);
    svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", zero,
        PAD_TOP, zero, height - PAD_BOTTOM));
    for (int i = 0; i < features.length; i++) {
      int p = features[i];
      double centre = PAD_TOP + (i + 0.5) * ROW_HEIGHT;
      svg.append(String.format(Locale.ROOT,
          "<text class=\"label\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"central\">%s</text>",
          LABEL_WIDTH - 8, centre, esc(sample.features().get(p))));
      Colours colours = new Colours(t.values(), p, sample.categories().get(p));
      svg.append("<g class=\"dots\">");
      for (int r = 0; r < a.length; r++) {
        // A fixed spread of each row's dot across the row's band, so dense values show as a cloud.
        double jitter = ((r * 0.618033988749895) % 1 - 0.5) * (ROW_HEIGHT - 8);
        dot(svg, frame.x(a[r][p]), centre + jitter).append(" fill=\"").append(colours.of(r)).append("\"/>");
      }
      svg.append("</g>");
    }
    // The legend's scale as swatches: a gradient fill would need url(), which the page never uses.
    svg.append(String.format(Locale.ROOT, "<g class=\"legend\"><text x=\"%d\" y=\"%d\">feature value: low</text>",
        LABEL_WIDTH, 14));
    for (int i = 0; i < 8; i++) {
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"7\" width=\"10\" height=\"8\" fill=\"%s\"/>",
          LABEL_WIDTH + 108 + 10 * i, Colours.gradient(i / 7.0)));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">high (categories: one colour each)</text></g>",
        LABEL_WIDTH + 194, 14));
    return svg.append("</svg>").toString();
  }

  /** Dependence plots of the top features: each sampled row's attribution against the feature's value. */
  static String dependence(ReportSample sample, ReportSample.Target t) {
    StringBuilder out = new StringBuilder();
    for (int p : topFeatures(t, DEPENDENCE_FEATURES)) {
      List<String> categories = sample.categories().get(p);
      double[] x = Arrays.stream(t.values()).mapToDouble(v -> v[p]).toArray();
      double[] y = Arrays.stream(t.attributions()).mapToDouble(v -> v[p]).toArray();
      double[] finite = Arrays.stream(x).filter(Double::isFinite).toArray();
      if (finite.length == 0) {
        continue;
      }
      double xLow = categories.isEmpty() ? Arrays.stream(finite).min().orElse(0) : -0.5;
      double xHigh = categories.isEmpty() ? Arrays.stream(finite).max().orElse(1) : categories.size() - 0.5;
      Frame frame = new Frame(SMALL_WIDTH, SMALL_HEIGHT, xLow, xHigh, Math.min(0, Arrays.stream(y).min().orElse(0)),
          Math.max(0, Arrays.stream(y).max().orElse(0)));
      String name = sample.features().get(p);
      StringBuilder svg = frame.open("dependence-plot", "Dependence plot for target " + t.targetName() + ": attribution"
          + " of " + name + " against its value", categories.isEmpty() ? name : name + " (category)",
          "attribution");
      svg.append(String.format(Locale.ROOT, "<text class=\"axis-title\" x=\"%d\" y=\"%d\">%s</text>", PAD_LEFT, 16,
          esc(name)));
      for (int c = 0; c < categories.size(); c++) {
        svg.append(String.format(Locale.ROOT, "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>",
            frame.x(c), SMALL_HEIGHT - PAD_BOTTOM + 28, esc(categories.get(c))));
      }
      svg.append("<g class=\"dots\">");
      for (int r = 0; r < x.length; r++) {
        if (Double.isFinite(x[r])) {
          double jitter = categories.isEmpty() ? 0 : ((r * 0.618033988749895) % 1 - 0.5) * 0.5;
          dot(svg, frame.x(x[r] + jitter), frame.y(y[r])).append("/>");
        }
      }
      out.append(svg.append("</g></svg>"));
    }
    return out.toString();
  }

  /**
   * Opens a dot's circle at {@code (x, y)}, coordinates to a tenth of a pixel, for the caller to
   * close. A plot has a dot per sampled row and feature, thousands in all: written through {@code
   * String.format}, they took 0.3 s of a 25,000-row benchmark job's 0.5 s report.
   */
  private static StringBuilder dot(StringBuilder svg, double x, double y) {
    svg.append("<circle cx=\"");
    tenths(svg, x).append("\" cy=\"");
    return tenths(svg, y).append("\" r=\"2.2\"");
  }

  /** {@code v} to the nearest tenth, ties away from zero, with one decimal. */
  static StringBuilder tenths(StringBuilder out, double v) {
    long t = Math.round(Math.abs(v) * 10);
    return out.append(v < 0 && t > 0 ? "-" : "").append(t / 10).append('.').append(t % 10);
  }

  /** A plot area with linear x and y scales, its grid, ticks and axis titles. */
  private record Frame(int width, int height, int left, double xLow, double xHigh, double yLow, double yHigh) {

    Frame(int width, int height, double xLow, double xHigh, double yLow, double yHigh) {
      this(width, height, PAD_LEFT, xLow, xHigh == xLow ? xLow + 1 : xHigh, yLow, yHigh == yLow ? yLow + 1 : yHigh);
    }

    Frame withLeft(int newLeft) {
      return new Frame(width, height, newLeft, xLow, xHigh, yLow, yHigh);
    }

    double x(double value) {
      return left + (width - left - PAD_RIGHT) * (value - xLow) / (xHigh - xLow);
    }

    double y(double value) {
      return height - PAD_BOTTOM - (height - PAD_BOTTOM - PAD_TOP) * (value - yLow) / (yHigh - yLow);
    }

    /** Opens the SVG with its title, x ticks and, when {@code yTitle} is given, y ticks. */
    StringBuilder open(String cssClass, String title, String xTitle, String yTitle) {
      StringBuilder svg = new StringBuilder(String.format(Locale.ROOT,
          "<svg class=\"chart %s\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\"><title>%s</title>",
          cssClass, width, height, width, height, esc(title)));
      int bottom = height - PAD_BOTTOM;
      for (double tick : ticks(xLow, xHigh)) {
        svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
            + "<text class=\"tick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x(tick), PAD_TOP, x(tick),
            bottom, x(tick), bottom + 15, esc(num(tick))));
      }
      if (yTitle != null) {
        for (double tick : ticks(yLow, yHigh)) {
          svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
              + "<text class=\"tick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"central\">%s</text>",
              left, y(tick), width - PAD_RIGHT, y(tick), left - 4, y(tick), esc(num(tick))));
        }
        svg.append(String.format(Locale.ROOT, "<text class=\"axis-title\" transform=\"translate(12 %.1f) rotate(-90)\""
            + " text-anchor=\"middle\">%s</text>", (PAD_TOP + bottom) / 2.0, esc(yTitle)));
      }
      svg.append(String.format(Locale.ROOT, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
          + "<text class=\"axis-title\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", left, bottom,
          width - PAD_RIGHT, bottom, (left + width - PAD_RIGHT) / 2.0, bottom + 36, esc(xTitle)));
      return svg;
    }

    String polyline(String cssClass, double[] xs, double[] ys) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < xs.length; i++) {
        points.append(String.format(Locale.ROOT, "%s%.1f,%.1f", i == 0 ? "" : " ", x(xs[i]), y(ys[i])));
      }
      return "<polyline class=\"" + cssClass + "\" points=\"" + points + "\"/>";
    }

    /** Round ticks covering [low, high]. */
    private static List<Double> ticks(double low, double high) {
      double step = BarChart.tickStep(high - low);
      List<Double> ticks = new ArrayList<>();
      for (double t = Math.ceil(low / step - 1e-9) * step; t <= high + 1e-9 * step; t += step) {
        ticks.add(Math.abs(t) < 1e-12 * step ? 0 : t);
      }
      return ticks;
    }
  }

  /** Each sampled row's colour for one feature: by value between its 5th and 95th percentile, or by category. */
  private static final class Colours {
    private final double[][] values;
    private final int feature;
    private final boolean categorical;
    private final double low;
    private final double high;

    Colours(double[][] values, int feature, List<String> categories) {
      this.values = values;
      this.feature = feature;
      this.categorical = !categories.isEmpty();
      double[] sorted = Arrays.stream(values).mapToDouble(v -> v[feature]).filter(Double::isFinite).sorted().toArray();
      this.low = sorted.length == 0 ? 0 : sorted[(int) (0.05 * (sorted.length - 1))];
      this.high = sorted.length == 0 ? 0 : sorted[(int) Math.ceil(0.95 * (sorted.length - 1))];
    }

    String of(int row) {
      double v = values[row][feature];
      if (!Double.isFinite(v)) {
        return NO_VALUE;
      }
      if (categorical) {
        return PALETTE[(int) v % PALETTE.length];
      }
      return gradient(high > low ? Math.max(0, Math.min(1, (v - low) / (high - low))) : 0.5);
    }

    /** Blue through purple to red, as in SHAP's summary plots. */
    static String gradient(double share) {
      int r = (int) Math.round(0x1e + share * (0xff - 0x1e));
      int g = (int) Math.round(0x88 + share * (0x00 - 0x88));
      int b = (int) Math.round(0xe5 + share * (0x52 - 0xe5));
      return String.format(Locale.ROOT, "#%02x%02x%02x", r, g, b);
    }
  }
}
