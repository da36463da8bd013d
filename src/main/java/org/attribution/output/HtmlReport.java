package org.attribution.output;

import static org.attribution.output.ReportFormat.NONE;
import static org.attribution.output.ReportFormat.count;
import static org.attribution.output.ReportFormat.counted;
import static org.attribution.output.ReportFormat.esc;
import static org.attribution.output.ReportFormat.num;
import static org.attribution.output.ReportFormat.percent;
import static org.attribution.output.ReportFormat.signed;
import static org.attribution.output.ReportFormat.signedPercent;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.attribution.aggregate.CompletenessFlag;
import org.attribution.config.MethodConfig;
import org.attribution.aggregate.DriftRow;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.SamplingEffort;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.quality.QualityChange;
import org.attribution.quality.QualityMeasure;
import org.attribution.quality.TargetQualitySummary;

/**
 * The run's report for auditors: one self-contained HTML page with the run's facts, per target a
 * chart and table of the most important features and their segment views, the drift since the
 * previous run, and the run's quality (completeness gaps, rejected rows).
 *
 * <p>The page loads nothing: styles are inline, charts are SVG generated here, and there is no
 * script, so it opens the same from an archive years later and passes strict content policies.
 * Every string that comes from data is escaped.
 */
public final class HtmlReport {

  /** Features in a segment view: enough to compare segments, few enough to read across. */
  private static final int SEGMENT_FEATURES = 10;
  /** Hex digits of the model's SHA-256 shown; the full hash is in the tooltip. */
  private static final int SHA_SHOWN = 12;
  /** Sampled rows drawn per target of an image model, and how wide each of their images is drawn. */
  private static final int EXAMPLE_ROWS = 4;
  private static final int EXAMPLE_SIZE = 96;

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

  /** Overall rank first; unranked rows (segments below the minimum count) by importance. */
  private static final Comparator<ImportanceRow> BY_RANK = Comparator
      .comparing(ImportanceRow::rank, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(Comparator.comparingDouble(ImportanceRow::meanAbsAttribution).reversed())
      .thenComparing(ImportanceRow::feature);

  private static final Comparator<DriftRow> BY_CURRENT_RANK = Comparator
      .comparing(DriftRow::currentRank, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(DriftRow::previousRank, Comparator.nullsLast(Comparator.naturalOrder()))
      .thenComparing(DriftRow::feature);

  private final ReportData data;
  private final Map<Integer, String> targets = new TreeMap<>();
  private final StringBuilder html = new StringBuilder(64 * 1024);

  private HtmlReport(ReportData data) {
    this.data = data;
    for (ImportanceRow row : data.importance()) {
      targets.putIfAbsent(row.target(), row.targetName());
    }
  }

  /** Renders the report as one HTML document. */
  public static String render(ReportData data) {
    return new HtmlReport(data).page();
  }

  /** Renders the report and writes it, UTF-8, to {@code path} on any Hadoop file system, replacing any file there. */
  public static void write(ReportData data, String path, Configuration hadoopConf) {
    byte[] bytes = render(data).getBytes(StandardCharsets.UTF_8);
    Path target = new Path(path);
    try {
      FileSystem fs = target.getFileSystem(hadoopConf);
      try (OutputStream out = fs.create(target, true)) {
        out.write(bytes);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write report " + path + ": " + e.getMessage(), e);
    }
  }

  private String page() {
    ReportData.Run run = data.run();
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>").append(esc("Feature importance: " + run.jobName() + " (" + run.runId() + ")"))
        .append("</title>\n<style>").append(CSS).append("</style>\n</head>\n<body>\n<main>\n");
    header();
    contents();
    if (data.image() != null) {
      imageOverview();
    }
    for (Map.Entry<Integer, String> target : targets.entrySet()) {
      targetSection(target.getKey(), target.getValue());
    }
    if (data.hasDrift()) {
      driftSection();
    }
    qualitySection();
    html.append("<footer>spark-attribution \u00b7 run <code>").append(esc(run.runId()))
        .append("</code> \u00b7 this page loads no external resources</footer>\n")
        .append("</main>\n</body>\n</html>\n");
    return html.toString();
  }

  private void header() {
    ReportData.Run run = data.run();
    html.append("<header class=\"masthead\">\n<p class=\"eyebrow\">Feature importance report</p>\n<h1>")
        .append(esc(run.jobName())).append("</h1>\n<p class=\"run-id\">Run <code>")
        .append(esc(run.runId())).append("</code></p>\n<dl class=\"facts\">\n");
    String sha = run.modelSha256() == null ? "" : run.modelSha256();
    String shortSha = sha.length() > SHA_SHOWN ? sha.substring(0, SHA_SHOWN) + "\u2026" : sha;
    fact("Model", esc(run.modelName()) + " <code class=\"sha\" title=\"SHA-256 " + esc(sha) + "\">"
        + esc(shortSha) + "</code>");
    fact("Dataset", "<code>" + esc(run.datasetName()) + "</code>");
    fact("Method", esc(run.method()));
    fact("Started", esc(time(run.startedAt())));
    fact("Finished", esc(time(run.finishedAt())));
    fact("Duration", esc(duration(run.startedAt(), run.finishedAt())));
    html.append("</dl>\n<div class=\"stats\">\n");

    ReportData.Rows rows = data.rows();
    stat("Rows read", count(rows.read()), "", "");
    stat("Explained", count(rows.explained()), percent(share(rows.explained(), rows.read())) + " of read", "");
    stat("Rejected", count(rows.rejected()), percent(share(rows.rejected(), rows.read())) + " of read",
        rows.rejected() > 0 ? "warn" : "");
    String perSecond = rows.perSecond() >= 100 ? count(Math.round(rows.perSecond())) : num(rows.perSecond());
    stat("Throughput", perSecond, "rows per second", "");
    SamplingEffort sampling = rows.sampling();
    if (sampling != null) {
      // A result at the cap has an estimated error above the target: the target was not met there.
      stat("Target error", percent(sampling.targetError()),
          percent(sampling.shareAtCap()) + " of results stopped at the cap short of it; "
              + count(Math.round(sampling.meanEvaluationsPerRow())) + " of at most "
              + count(sampling.capEvaluationsPerRow()) + " evaluations per result",
          sampling.resultsAtCap() > 0 ? "warn" : "good");
    }
    if (!data.hasDrift()) {
      stat("Drift gate", NONE, "no previous run to compare with", "");
    } else {
      DriftSummary drift = data.driftSummary();
      String changes = counted(drift.significantChanges(), "significant change");
      if (drift.gateSkipped()) {
        stat("Drift gate", "Not applied", changes + " against another method", "warn");
      } else if (drift.threshold() == null) {
        stat("Drift gate", "Not set", changes, "");
      } else {
        stat("Drift gate", drift.gateFailed() ? "Failed" : "Passed", changes, drift.gateFailed() ? "bad" : "good");
      }
    }
    html.append("</div>\n</header>\n");
  }

  private void fact(String name, String valueHtml) {
    html.append("<div><dt>").append(name).append("</dt><dd>").append(valueHtml).append("</dd></div>\n");
  }

  private void stat(String name, String value, String detail, String tone) {
    html.append("<div class=\"stat").append(tone.isEmpty() ? "" : " " + tone).append("\"><div class=\"stat-name\">")
        .append(name).append("</div><div class=\"stat-value\">").append(esc(value)).append("</div>");
    if (!detail.isEmpty()) {
      html.append("<div class=\"stat-detail\">").append(esc(detail)).append("</div>");
    }
    html.append("</div>\n");
  }

  private void contents() {
    html.append("<nav class=\"contents\"><span>Contents</span>");
    for (Map.Entry<Integer, String> target : targets.entrySet()) {
      html.append("<a href=\"#target-").append(target.getKey()).append("\">Target ")
          .append(esc(target.getValue())).append("</a>");
    }
    if (data.hasDrift()) {
      html.append("<a href=\"#drift\">Drift</a>");
    }
    html.append("<a href=\"#quality\">Run quality</a></nav>\n");
  }

  private void targetSection(int target, String targetName) {
    List<ImportanceRow> ranked = new ArrayList<>();
    for (ImportanceRow row : data.importance()) {
      if (row.overall() && row.target() == target) {
        ranked.add(row);
      }
    }
    ranked.sort(BY_RANK);
    List<ImportanceRow> top = ranked.subList(0, Math.min(data.topN(), ranked.size()));

    html.append("<section class=\"card\" id=\"target-").append(target).append("\">\n<h2>")
        .append(targetHeading(target, targetName)).append("</h2>\n");
    if (top.isEmpty()) {
      html.append("<p class=\"empty\">No overall importance for this target.</p>\n</section>\n");
      return;
    }
    List<String> meta = new ArrayList<>();
    meta.add(counted(ranked.get(0).rows(), "row") + " explained");
    Double base = data.baseValues().get(target);
    if (base != null) {
      meta.add("base value " + num(base));
    }
    meta.add("top " + top.size() + " of " + ranked.size() + " features by mean |attribution|");
    html.append("<p class=\"meta\">").append(esc(String.join(" \u00b7 ", meta))).append("</p>\n");
    for (RunManifest.Completeness c : data.completeness()) {
      if (c.target() == target && gapWarning(c) != null) {
        alert("Completeness: " + gapWarning(c) + ".");
      }
    }

    html.append("<figure>")
        .append(BarChart.render(top, "Top " + top.size() + " features for target " + targetName
            + " by mean |attribution| with 95% confidence intervals"))
        .append("</figure>\n");
    if (data.image() != null) {
      imageMap(ranked, targetName);
      exampleMaps(target);
    }
    importanceTable(top);
    if (ranked.size() > top.size()) {
      double restShare = 0;
      for (ImportanceRow row : ranked.subList(top.size(), ranked.size())) {
        restShare += row.importanceShare();
      }
      html.append("<p class=\"note\">").append(counted(ranked.size() - top.size(), "more feature"))
          .append(" not shown, together holding ").append(esc(percent(restShare)))
          .append(" of the importance.</p>\n");
    }

    Map<String, List<ImportanceRow>> bySegmentColumn = new TreeMap<>();
    for (ImportanceRow row : data.importance()) {
      if (!row.overall() && row.target() == target) {
        bySegmentColumn.computeIfAbsent(row.segmentColumn(), c -> new ArrayList<>()).add(row);
      }
    }
    List<ImportanceRow> segmentFeatures = ranked.subList(0, Math.min(SEGMENT_FEATURES, top.size()));
    for (Map.Entry<String, List<ImportanceRow>> column : bySegmentColumn.entrySet()) {
      segmentView(column.getKey(), column.getValue(), segmentFeatures);
    }
    samplePlots(target);
    html.append("</section>\n");
  }

  /** Every target's map side by side, each scaled to its own largest value. */
  private void imageOverview() {
    html.append("<section class=\"card\" id=\"image-maps\">\n<h2>Importance maps</h2>\n<p class=\"meta\">")
        .append("Mean |attribution| of each pixel or patch, per target; darker is more important, each map on its"
            + " own scale.</p>\n<div class=\"heatmaps\">");
    for (Map.Entry<Integer, String> target : targets.entrySet()) {
      List<ImportanceRow> rows = new ArrayList<>();
      for (ImportanceRow row : data.importance()) {
        if (row.overall() && row.target() == target.getKey()) {
          rows.add(row);
        }
      }
      imageMap(rows, target.getValue());
    }
    html.append("</div>\n</section>\n");
  }

  /** The target's mean |attribution| of every pixel or patch, drawn where it lies in the image. */
  private void imageMap(List<ImportanceRow> ranked, String targetName) {
    ImageLayout image = data.image();
    Map<String, Double> values = new TreeMap<>();
    ranked.forEach(row -> values.put(row.feature(), row.meanAbsAttribution()));
    String title = "Mean |attribution| per pixel for target " + targetName;
    html.append("<figure class=\"heatmap\">").append(HeatMap.render(image.height(), image.width(),
        image.pixels(values), title)).append("<figcaption>").append(esc(title)).append("</figcaption></figure>\n");
  }

  /**
   * A few of the target's sampled rows, each image beside its own attribution map: where the
   * model looked in that one image, which the mean map averages away.
   */
  private void exampleMaps(int target) {
    if (data.sample() == null) {
      return;
    }
    ImageLayout image = data.image();
    List<String> players = data.sample().features();
    for (ReportSample.Target t : data.sample().targets()) {
      if (t.target() != target || t.inputs() == null || t.inputs().length == 0) {
        continue;
      }
      int rows = Math.min(EXAMPLE_ROWS, t.inputs().length);
      html.append("<h3>Example rows</h3>\n<p class=\"note\">").append(counted(rows, "sampled row"))
          .append(", each image beside its attributions for this target: red raises the output, blue lowers it,")
          .append(" each map scaled to its own largest |attribution|.</p>\n<div class=\"heatmaps\">");
      for (int r = 0; r < rows; r++) {
        Map<String, Double> attribution = new TreeMap<>();
        double largest = 0;
        for (int p = 0; p < players.size(); p++) {
          attribution.put(players.get(p), t.attributions()[r][p]);
          largest = Math.max(largest, Math.abs(t.attributions()[r][p]));
        }
        String name = "Sampled row " + (r + 1);
        html.append("<figure class=\"example\">")
            .append(HeatMap.png(image.height(), image.width(), image.image(t.inputs()[r]), HeatMap.Palette.INPUT,
                name + ": the image", EXAMPLE_SIZE))
            .append(HeatMap.png(image.height(), image.width(), image.pixels(attribution), HeatMap.Palette.SIGNED,
                name + ": attributions for target " + t.targetName(), EXAMPLE_SIZE))
            .append("<figcaption>").append(esc(name + " \u00b7 largest |attribution| " + num(largest)))
            .append("</figcaption></figure>\n");
      }
      html.append("</div>\n");
    }
  }

  private static String targetHeading(int target, String targetName) {
    String heading = "Target <span class=\"target-name\">" + esc(targetName) + "</span>";
    return String.valueOf(target).equals(targetName)
        ? heading
        : heading + " <span class=\"muted\">output " + target + "</span>";
  }

  private void importanceTable(List<ImportanceRow> top) {
    html.append("<table class=\"importance\">\n<thead><tr><th class=\"n\">Rank</th><th>Feature</th>")
        .append("<th class=\"n\">Mean |attr|</th><th class=\"n\">95% CI</th><th class=\"n\">Mean attr</th>")
        .append("<th class=\"n\">Std</th><th>Share of importance</th><th class=\"n\">Positive share</th>")
        .append("</tr></thead>\n<tbody>\n");
    for (ImportanceRow row : top) {
      String ci = Double.isFinite(row.ciLow()) && Double.isFinite(row.ciHigh())
          ? num(row.ciLow()) + " \u2013 " + num(row.ciHigh())
          : NONE;
      double share = Double.isFinite(row.importanceShare()) ? Math.max(0, Math.min(1, row.importanceShare())) : 0;
      html.append("<tr><td class=\"n muted\">").append(row.rank() == null ? NONE : row.rank())
          .append("</td><td class=\"feature\">").append(esc(row.feature()))
          .append("</td><td class=\"n strong\">").append(esc(num(row.meanAbsAttribution())))
          .append("</td><td class=\"n muted\">").append(esc(ci))
          .append("</td><td class=\"n\">").append(esc(signed(row.meanAttribution())))
          .append("</td><td class=\"n\">").append(esc(num(row.stdAttribution())))
          .append(String.format(Locale.ROOT,
              "</td><td class=\"share\"><span class=\"meter\"><span style=\"width:%.1f%%\"></span></span>",
              share * 100))
          .append(esc(percent(row.importanceShare())))
          .append("</td><td class=\"n\">").append(esc(percent(row.positiveShare()))).append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
  }

  /**
   * Segment values across, the target's top features down, mean |attribution| in each cell and
   * shaded on one scale per table, so a feature's row shows how its weight moves between segments.
   */
  private void segmentView(String column, List<ImportanceRow> rows, List<ImportanceRow> features) {
    Map<String, Map<String, ImportanceRow>> cells = new LinkedHashMap<>();
    Map<String, ImportanceRow> segments = new LinkedHashMap<>();
    for (ImportanceRow row : rows) {
      String value = String.valueOf(row.segmentValue());
      cells.computeIfAbsent(value, v -> new LinkedHashMap<>()).put(row.feature(), row);
      segments.putIfAbsent(value, row);
    }
    // Largest segments first, so that the greyed low-count ones end up on the right.
    List<ImportanceRow> order = new ArrayList<>(segments.values());
    order.sort(Comparator.comparingLong(ImportanceRow::rows).reversed()
        .thenComparing(r -> String.valueOf(r.segmentValue())));

    double max = 0;
    boolean anyLow = false;
    for (ImportanceRow row : rows) {
      anyLow |= row.lowCount();
      if (!row.lowCount() && Double.isFinite(row.meanAbsAttribution())) {
        max = Math.max(max, row.meanAbsAttribution());
      }
    }

    html.append("<h3>By segment: <code>").append(esc(column)).append("</code></h3>\n<p class=\"note\">")
        .append("Mean |attribution| of the top ").append(features.size())
        .append(" features within each segment, largest segments first; darker is larger, on one scale for ")
        .append("the table.");
    if (anyLow) {
      html.append(" Segments marked <span class=\"badge low\">low count</span> have fewer rows than the ")
          .append("configured minimum: shown for completeness, not ranked and not shaded.");
    }
    html.append("</p>\n<div class=\"scroll\"><table class=\"heat\">\n<thead><tr><th>Feature</th>")
        .append("<th class=\"n overall\">Overall</th>");
    for (ImportanceRow segment : order) {
      html.append("<th class=\"n seg").append(segment.lowCount() ? " low" : "").append("\">")
          .append(esc(String.valueOf(segment.segmentValue())))
          .append("<span class=\"seg-count\">n = ").append(count(segment.rows())).append("</span>");
      if (segment.lowCount()) {
        html.append("<span class=\"badge low\">low count</span>");
      }
      html.append("</th>");
    }
    html.append("</tr></thead>\n<tbody>\n");
    for (ImportanceRow feature : features) {
      html.append("<tr><th scope=\"row\" class=\"feature\">").append(esc(feature.feature()))
          .append("</th><td class=\"n overall\">").append(esc(num(feature.meanAbsAttribution()))).append("</td>");
      for (ImportanceRow segment : order) {
        ImportanceRow cell = cells.get(String.valueOf(segment.segmentValue())).get(feature.feature());
        heatCell(column, cell, max);
      }
      html.append("</tr>\n");
    }
    html.append("</tbody>\n</table></div>\n");
  }

  private void heatCell(String column, ImportanceRow cell, double max) {
    if (cell == null) {
      html.append("<td class=\"n muted\">").append(NONE).append("</td>");
      return;
    }
    String tip = cell.feature() + " where " + column + " = " + cell.segmentValue() + ": mean |attribution| "
        + num(cell.meanAbsAttribution())
        + (Double.isFinite(cell.ciLow()) ? " (95% CI " + num(cell.ciLow()) + " to " + num(cell.ciHigh()) + ")" : "")
        + (cell.rank() == null ? ", not ranked" : ", rank " + cell.rank())
        + ", " + counted(cell.rows(), "row");
    if (cell.lowCount()) {
      html.append("<td class=\"n low\" title=\"").append(esc(tip)).append("\">")
          .append(esc(num(cell.meanAbsAttribution()))).append("</td>");
      return;
    }
    double level = max > 0 && Double.isFinite(cell.meanAbsAttribution()) ? cell.meanAbsAttribution() / max : 0;
    // Alpha over white stays light enough for dark text up to the threshold, then text turns white.
    double alpha = 0.05 + 0.75 * level;
    html.append(String.format(Locale.ROOT, "<td class=\"n%s\" style=\"background:rgba(37,89,160,%.2f)\" title=\"",
            alpha > 0.5 ? " dark" : "", alpha))
        .append(esc(tip)).append("\">").append(esc(num(cell.meanAbsAttribution()))).append("</td>");
  }

  private void driftSection() {
    DriftSummary summary = data.driftSummary();
    html.append("<section class=\"card\" id=\"drift\">\n<h2>Drift since the previous run</h2>\n<p class=\"meta\">")
        .append("Compared with run <code>").append(esc(summary.previousRunId())).append("</code> \u00b7 ")
        .append(counted(summary.significantChanges(), "significant change")).append(" \u00b7 ");
    if (summary.gateSkipped()) {
      html.append("<span class=\"badge warn\">gate not applied</span>");
    } else if (summary.threshold() == null) {
      html.append("<span class=\"badge\">no gate set</span>");
    } else if (summary.gateFailed()) {
      html.append("<span class=\"badge bad\">gate failed</span>");
    } else {
      html.append("<span class=\"badge good\">gate passed</span>");
    }
    html.append("</p>\n");
    if (summary.warning() != null) {
      alert(summary.warning() + ".");
    }
    html.append("<p class=\"note\">A change is significant when the two runs\u2019 95% confidence ")
        .append("intervals do not overlap. nDCG@").append(summary.k()).append(" scores this run\u2019s top ")
        .append(summary.k()).append(" features against the previous run\u2019s importance (1 = the same ")
        .append("features in the same order); the gate fails when 1 \u2212 nDCG@").append(summary.k())
        .append(" passes its threshold for some target.</p>\n");

    html.append("<table class=\"ndcg\">\n<thead><tr><th>Target</th><th class=\"n\">nDCG@").append(summary.k())
        .append("</th><th class=\"n\">1 \u2212 nDCG@").append(summary.k())
        .append("</th><th class=\"n\">Threshold</th><th>Status</th></tr></thead>\n<tbody>\n");
    for (DriftSummary.TargetDrift target : summary.targets()) {
      double loss = 1 - target.ndcgAtK();
      html.append("<tr><td>").append(esc(target.targetName())).append("</td><td class=\"n strong\">")
          .append(esc(num(target.ndcgAtK()))).append("</td><td class=\"n\">").append(esc(num(loss)))
          .append("</td><td class=\"n\">").append(summary.threshold() == null ? NONE : esc(num(summary.threshold())))
          .append("</td><td>");
      if (summary.gateSkipped()) {
        html.append("<span class=\"muted\">not applied</span>");
      } else if (summary.threshold() == null) {
        html.append("<span class=\"muted\">no gate</span>");
      } else if (loss > summary.threshold()) {
        html.append("<span class=\"badge bad\">over threshold</span>");
      } else {
        html.append("<span class=\"badge good\">within threshold</span>");
      }
      html.append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");

    Map<Integer, List<DriftRow>> byTarget = new TreeMap<>();
    Map<Integer, String> names = new TreeMap<>();
    for (DriftRow row : data.drift()) {
      byTarget.computeIfAbsent(row.target(), t -> new ArrayList<>()).add(row);
      names.putIfAbsent(row.target(), row.targetName());
    }
    for (Map.Entry<Integer, List<DriftRow>> target : byTarget.entrySet()) {
      driftTable(target.getKey(), names.get(target.getKey()), target.getValue());
    }
    html.append("</section>\n");
  }

  /**
   * The features in either run's top N, and every significant change wherever it ranks: an
   * auditor must see each significant change, and the long tail of small ones would bury them.
   */
  private void driftTable(int target, String targetName, List<DriftRow> rows) {
    List<DriftRow> shown = new ArrayList<>();
    for (DriftRow row : rows) {
      if (row.significant() || inTop(row.currentRank()) || inTop(row.previousRank())) {
        shown.add(row);
      }
    }
    shown.sort(BY_CURRENT_RANK);
    html.append("<h3>").append(targetHeading(target, targetName)).append("</h3>\n")
        .append("<table class=\"drift\">\n<thead><tr><th>Feature</th><th class=\"n\">Rank</th>")
        .append("<th>Rank change</th><th class=\"n\">Previous mean |attr|</th><th class=\"n\">Current mean |attr|</th>")
        .append("<th class=\"n\">Change</th><th class=\"n\">Relative</th><th>Significant</th></tr></thead>\n<tbody>\n");
    for (DriftRow row : shown) {
      html.append("<tr").append(row.significant() ? " class=\"sig\"" : "").append("><td class=\"feature\">")
          .append(esc(row.feature())).append("</td><td class=\"n\">")
          .append(row.previousRank() == null ? NONE : row.previousRank()).append(" \u2192 ")
          .append(row.currentRank() == null ? NONE : row.currentRank()).append("</td><td>")
          .append(rankChange(row)).append("</td><td class=\"n\">").append(esc(num(row.previousMeanAbs())))
          .append("</td><td class=\"n\">").append(esc(num(row.currentMeanAbs())))
          .append("</td><td class=\"n\">").append(esc(signed(row.change())))
          .append("</td><td class=\"n\">").append(esc(signedPercent(row.relativeChange())))
          .append("</td><td>").append(row.significant() ? "<span class=\"badge warn\">significant</span>" : "")
          .append("</td></tr>\n");
    }
    html.append("</tbody>\n</table>\n");
    if (shown.size() < rows.size()) {
      html.append("<p class=\"note\">").append(counted(rows.size() - shown.size(), "more feature"))
          .append(", outside the top ").append(data.topN())
          .append(" in both runs, changed without significance.</p>\n");
    }
  }

  private boolean inTop(Integer rank) {
    return rank != null && rank <= data.topN();
  }

  private static String rankChange(DriftRow row) {
    if (row.previousRank() == null) {
      return "<span class=\"move new\">new</span>";
    }
    if (row.currentRank() == null) {
      return "<span class=\"move gone\">gone</span>";
    }
    int rise = row.previousRank() - row.currentRank();
    if (rise > 0) {
      return "<span class=\"move up\" title=\"rose " + rise + "\">\u25b2 " + rise + "</span>";
    }
    if (rise < 0) {
      return "<span class=\"move down\" title=\"fell " + -rise + "\">\u25bc " + -rise + "</span>";
    }
    return "<span class=\"move same\">=</span>";
  }

  /** The summary and dependence plots of a target's sampled rows, when the run kept a sample. */
  private void samplePlots(int target) {
    if (data.sample() == null) {
      return;
    }
    for (ReportSample.Target t : data.sample().targets()) {
      if (t.target() == target && t.attributions().length > 0) {
        html.append("<h3>Summary plot</h3>\n<p class=\"note\">").append(counted(t.attributions().length, "sampled row"))
            .append(": one dot per row and feature at its attribution; colour is the feature\u2019s value, blue low ")
            .append("to red high (a categorical feature: one colour per category).</p>\n<figure>")
            .append(SamplePlots.summary(data.sample(), t)).append("</figure>\n")
            .append("<h3>Dependence plots</h3>\n<p class=\"note\">Attribution against the feature\u2019s value for ")
            .append("the top features of the sample.</p>\n<figure class=\"small-charts\">")
            .append(SamplePlots.dependence(data.sample(), t)).append("</figure>\n");
      }
    }
  }

  /** The sampled quality measures, their curves and how they moved since the earlier run. */
  private void qualityMeasures() {
    RunManifest.Quality quality = data.quality();
    if (quality == null) {
      return;
    }
    html.append("<h3>How far to trust the attributions</h3>\n");
    if (!quality.enabled()) {
      html.append("<p class=\"empty\">Quality measures were not taken (quality.enabled is false).</p>\n");
      return;
    }
    html.append("<p class=\"note\">Measured on ").append(counted(quality.rows(), "sampled row")).append(" (")
        .append(count(quality.evaluations())).append(" model evaluations). Deletion / insertion AOPC: the area ")
        .append("between the curve in the attributions\u2019 order and in a random order (higher is better). ")
        .append("Max-sensitivity: the largest relative change of a row\u2019s attributions under ")
        .append(quality.perturbations()).append(" perturbations within ").append(esc(num(quality.radius())))
        .append(" standard deviations per feature (lower is better). Infidelity: mean squared error of the ")
        .append("attributions\u2019 prediction of the output change when random subsets of features are removed ")
        .append("(lower is better).</p>\n");
    html.append("<table class=\"quality\">\n<thead><tr><th>Target</th><th>Measure</th><th class=\"n\">Value</th>")
        .append("<th class=\"n\">Standard error</th><th class=\"n\">Rows</th></tr></thead>\n<tbody>\n");
    for (TargetQualitySummary t : quality.targets()) {
      for (QualityMeasure m : t.measures()) {
        html.append("<tr><td>").append(esc(t.targetName())).append("</td><td>").append(esc(m.measure()))
            .append("</td><td class=\"n strong\">").append(esc(num(m.value()))).append("</td><td class=\"n\">")
            .append(esc(num(m.standardError()))).append("</td><td class=\"n\">").append(count(m.rows()))
            .append("</td></tr>\n");
      }
    }
    html.append("</tbody>\n</table>\n");
    for (TargetQualitySummary t : quality.targets()) {
      if (t.fractions().length > 0) {
        html.append("<p class=\"meta\">Deletion and insertion curves, target ").append(esc(t.targetName()))
            .append("</p>\n<figure class=\"small-charts\">").append(SamplePlots.curves(t)).append("</figure>\n");
      }
    }
    if (quality.comparedToRun() != null && !quality.changes().isEmpty()) {
      html.append("<h3>Quality since run <code>").append(esc(quality.comparedToRun())).append("</code></h3>\n")
          .append("<table class=\"quality-drift\">\n<thead><tr><th>Target</th><th>Measure</th>")
          .append("<th class=\"n\">Previous</th><th class=\"n\">Current</th><th class=\"n\">Change</th>")
          .append("<th class=\"n\">z</th></tr></thead>\n<tbody>\n");
      for (QualityChange c : quality.changes()) {
        html.append("<tr><td>").append(esc(c.targetName())).append("</td><td>").append(esc(c.measure()))
            .append("</td><td class=\"n\">").append(esc(num(c.previous()))).append("</td><td class=\"n\">")
            .append(esc(num(c.current()))).append("</td><td class=\"n strong\">").append(esc(signed(c.change())))
            .append("</td><td class=\"n\">").append(esc(num(c.z())))
            .append(c.significant() ? " <span class=\"badge warn\">significant</span>" : "").append("</td></tr>\n");
      }
      html.append("</tbody>\n</table>\n");
    }
  }

  private void qualitySection() {
    html.append("<section class=\"card\" id=\"quality\">\n<h2>Run quality</h2>\n");
    qualityMeasures();
    html.append("<h3>Completeness</h3>\n")
        .append("<p class=\"note\">Each row\u2019s attributions should sum to f(x) \u2212 reference; the gap is the ")
        .append("method\u2019s numerical error. The relative gap is mean |gap| over mean |f(x) \u2212 reference|; ")
        .append("above ").append(esc(percent(CompletenessFlag.MAX_RELATIVE_GAP))).append(" it is flagged.</p>\n");
    if (!MethodConfig.expectsCompleteness(data.run().method())) {
      html.append("<p class=\"note\">").append(esc(data.run().method())).append("\u2019s attributions are not ")
          .append("meant to add up to f(x) \u2212 reference, so its gap describes the method rather than an ")
          .append("error, and is never flagged.</p>\n");
    }
    if (data.completeness().isEmpty()) {
      html.append("<p class=\"empty\">No completeness figures for this run.</p>\n");
    } else {
      html.append("<table class=\"completeness\">\n<thead><tr><th>Target</th><th class=\"n\">Mean |gap|</th>")
          .append("<th class=\"n\">Max |gap|</th><th class=\"n\">Mean |f(x) \u2212 reference|</th>")
          .append("<th class=\"n\">Relative gap</th></tr></thead>\n<tbody>\n");
      for (RunManifest.Completeness c : data.completeness()) {
        html.append("<tr><td>").append(esc(c.targetName())).append("</td><td class=\"n strong\">")
            .append(esc(num(c.meanAbsGap()))).append("</td><td class=\"n\">").append(esc(num(c.maxAbsGap())))
            .append("</td><td class=\"n\">").append(esc(num(c.meanAbsDelta()))).append("</td><td class=\"n\">")
            .append(esc(num(CompletenessFlag.relativeGap(c.meanAbsGap(), c.meanAbsDelta()))))
            .append(gapWarning(c) != null ? " <span class=\"badge warn\">flagged</span>" : "")
            .append("</td></tr>\n");
      }
      html.append("</tbody>\n</table>\n");
    }

    ReportData.Rows rows = data.rows();
    html.append("<h3>Rejected rows</h3>\n");
    if (rows.rejected() == 0) {
      html.append("<p>No rows were rejected.</p>\n");
    } else {
      html.append("<p><strong>").append(count(rows.rejected())).append("</strong> of ").append(count(rows.read()))
          .append(" rows read (").append(esc(percent(share(rows.rejected(), rows.read()))))
          .append(") could not be explained; they are in the rejects output with their reason.</p>\n")
          .append("<table class=\"rejects\">\n<thead><tr><th>Reason</th><th class=\"n\">Rows</th>")
          .append("<th class=\"n\">Share of rejected</th></tr></thead>\n<tbody>\n");
      List<Map.Entry<String, Long>> reasons = new ArrayList<>(data.rejectReasons().entrySet());
      reasons.sort(Map.Entry.<String, Long>comparingByValue().reversed());
      long listed = 0;
      for (Map.Entry<String, Long> reason : reasons) {
        listed += reason.getValue();
        rejectRow(esc(reason.getKey()), reason.getValue(), rows.rejected());
      }
      if (listed < rows.rejected()) {
        rejectRow("<span class=\"muted\">other reasons</span>", rows.rejected() - listed, rows.rejected());
      }
      html.append("</tbody>\n</table>\n");
    }
    html.append("</section>\n");
  }

  private String gapWarning(RunManifest.Completeness c) {
    return CompletenessFlag.warning(data.run().method(), c.meanAbsGap(), c.meanAbsDelta());
  }

  /** A warning that must not be missed, as plain text. */
  private void alert(String text) {
    html.append("<p class=\"alert\">").append(esc(text)).append("</p>\n");
  }

  private void rejectRow(String reasonHtml, long rows, long rejected) {
    html.append("<tr><td class=\"reason\">").append(reasonHtml).append("</td><td class=\"n\">").append(count(rows))
        .append("</td><td class=\"n\">").append(esc(percent(share(rows, rejected)))).append("</td></tr>\n");
  }

  private static double share(long part, long whole) {
    return whole == 0 ? Double.NaN : (double) part / whole;
  }

  /** An ISO-8601 instant in a fixed readable form; anything else as given. */
  private static String time(String iso) {
    if (iso == null) {
      return NONE;
    }
    try {
      return TIME.format(Instant.parse(iso));
    } catch (DateTimeParseException e) {
      return iso;
    }
  }

  private static String duration(String startedAt, String finishedAt) {
    if (startedAt == null || finishedAt == null) {
      return NONE;
    }
    try {
      Duration d = Duration.between(Instant.parse(startedAt), Instant.parse(finishedAt));
      long s = d.getSeconds();
      return s >= 3600 ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, s % 3600 / 60)
          : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
          : s + " s";
    } catch (DateTimeParseException e) {
      return NONE;
    }
  }

  private static final String CSS = """
      :root{--ink:#1c2430;--muted:#667085;--line:#e4e7ec;--soft:#f6f7f9;--accent:#2559a0;\
      --warn:#9a5b00;--warn-bg:#fff4d6;--bad:#b42318;--bad-bg:#fee4e2;--good:#067647;--good-bg:#dcfae6}
      *{box-sizing:border-box}
      html{background:#eef0f3}
      body{margin:0;color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,\
      "Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif;-webkit-font-smoothing:antialiased}
      main{max-width:1040px;margin:0 auto;padding:28px 24px 40px}
      code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.92em}
      h1{font-size:26px;line-height:1.2;margin:2px 0 4px;letter-spacing:-.01em}
      h2{font-size:19px;margin:0 0 2px}
      h3{font-size:15px;margin:26px 0 4px}
      .masthead{background:#fff;border:1px solid var(--line);border-top:4px solid var(--accent);\
      border-radius:8px;padding:22px 28px}
      .eyebrow{margin:0;color:var(--accent);font-size:12px;font-weight:600;text-transform:uppercase;letter-spacing:.08em}
      .run-id{margin:0 0 14px;color:var(--muted)}
      .run-id code{color:var(--ink)}
      .facts{display:grid;grid-template-columns:repeat(3,1fr);gap:10px 28px;margin:0 0 18px}
      .facts div{min-width:0}
      .facts dt{color:var(--muted);font-size:12px}
      .facts dd{margin:0;overflow-wrap:break-word}
      .sha{color:var(--muted);cursor:help;border-bottom:1px dotted var(--muted)}
      .stats{display:grid;grid-template-columns:repeat(5,1fr);gap:12px}
      .stat{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:10px 14px}
      .stat-name{color:var(--muted);font-size:12px}
      .stat-value{font-size:21px;font-weight:600;font-variant-numeric:tabular-nums;line-height:1.3}
      .stat-detail{color:var(--muted);font-size:12px}
      .stat.warn{background:var(--warn-bg);border-color:#f5d48a}.stat.warn .stat-value{color:var(--warn)}
      .stat.bad{background:var(--bad-bg);border-color:#fbb4ad}.stat.bad .stat-value{color:var(--bad)}
      .stat.good{background:var(--good-bg);border-color:#a6ecc0}.stat.good .stat-value{color:var(--good)}
      .contents{display:flex;flex-wrap:wrap;gap:6px 18px;align-items:center;margin:14px 4px;font-size:13px}
      .contents span{color:var(--muted);font-weight:600}
      .contents a{color:var(--accent);text-decoration:none}
      .contents a:hover{text-decoration:underline}
      .card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:22px 28px;margin:0 0 18px}
      .meta{margin:0 0 12px;color:var(--muted)}
      .note{margin:6px 0 10px;color:var(--muted);font-size:12.5px}
      .alert{margin:8px 0 12px;padding:8px 12px;background:var(--warn-bg);color:var(--warn);border:1px solid #f5d48a;\
      border-radius:6px}
      .empty{color:var(--muted);font-style:italic}
      .muted{color:var(--muted);font-weight:400}
      .strong{font-weight:600}
      .target-name{color:var(--accent)}
      figure{margin:4px 0 14px}
      svg.chart{display:block;max-width:100%;height:auto;font-family:inherit}
      .heatmaps{display:flex;flex-wrap:wrap;gap:16px}
      figure.heatmap{display:inline-block;margin:8px 0}
      figure.example{display:inline-block;margin:8px 0}
      figure.example img{margin-right:4px;border:1px solid #d0d5dd}
      img.pixels{image-rendering:pixelated;image-rendering:crisp-edges}
      figure.example figcaption{font-size:12px;color:var(--muted)}
      figure.heatmap figcaption{font-size:12px;color:var(--muted);max-width:190px}
      svg .bar{fill:#4b7fc4}
      svg .row:hover .bar{fill:var(--accent)}
      svg .ci line{stroke:#1c2430;stroke-width:1.3}
      svg .grid{stroke:#eceef2}
      svg .axis{stroke:#98a2b3}
      svg .label{font-size:12px;fill:var(--ink)}
      svg .value{font-size:11px;fill:#475467;font-variant-numeric:tabular-nums}
      svg .tick{font-size:11px;fill:var(--muted)}
      svg .axis-title{font-size:11.5px;fill:var(--muted)}
      svg polyline{fill:none;stroke-width:2}
      svg .ranked{stroke:var(--accent);stroke-width:2}
      svg .random{stroke:#98a2b3;stroke-width:2;stroke-dasharray:5 4}
      svg .legend text{font-size:11px;fill:var(--muted)}
      svg.dependence-plot .dots circle{fill:#4b7fc4;fill-opacity:.55}
      svg.summary-plot .dots circle{fill-opacity:.8}
      .small-charts{display:flex;flex-wrap:wrap;gap:8px}
      .small-charts svg.chart{width:450px;max-width:100%}
      table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums;font-size:13px}
      th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
      thead th{color:var(--muted);font-size:12px;font-weight:600;vertical-align:bottom;border-bottom:1px solid #cfd4dc}
      tbody tr:hover{background:#fafbfc}
      .n{text-align:right}
      td.n{white-space:nowrap}
      .feature{font-weight:500;overflow-wrap:anywhere}
      .share{white-space:nowrap}
      .meter{display:inline-block;width:90px;height:8px;margin-right:8px;background:#edf0f4;border-radius:4px;\
      overflow:hidden;vertical-align:middle}
      .meter span{display:block;height:100%;background:#4b7fc4}
      .scroll{overflow-x:auto}
      table.heat{width:auto;min-width:60%}
      table.heat th,table.heat td{border:1px solid #fff;border-bottom:1px solid #fff}
      table.heat thead th{color:var(--ink);white-space:nowrap;background:var(--soft)}
      table.heat tbody th{font-size:13px;background:var(--soft)}
      table.heat td{min-width:76px}
      table.heat td.dark{color:#fff}
      table.heat .overall{background:#eef2f8;font-weight:600}
      .seg-count{display:block;color:var(--muted);font-weight:400;font-size:11px}
      table.heat th.low{color:var(--muted);background:repeating-linear-gradient(135deg,#f4f5f7 0 6px,#eceef1 6px 12px)}
      table.heat td.low{color:#98a2b3;background:repeating-linear-gradient(135deg,#f8f9fa 0 6px,#f1f2f4 6px 12px);\
      font-style:italic}
      .badge{display:inline-block;padding:0 7px;border-radius:9px;font-size:11px;font-weight:600;line-height:18px;\
      background:var(--soft);color:var(--muted);border:1px solid var(--line);white-space:nowrap}
      th .badge{display:table;margin:3px 0 0 auto}
      .badge.low{background:#eceef1;color:#475467}
      .badge.warn{background:var(--warn-bg);color:var(--warn);border-color:#f5d48a}
      .badge.bad{background:var(--bad-bg);color:var(--bad);border-color:#fbb4ad}
      .badge.good{background:var(--good-bg);color:var(--good);border-color:#a6ecc0}
      table.ndcg{width:auto;min-width:60%;margin-bottom:6px}
      tr.sig td{background:#fffaeb}
      tr.sig td:first-child{box-shadow:inset 3px 0 0 #f0b429}
      .move{font-weight:600;font-size:12px;white-space:nowrap}
      .move.up{color:#1d5fb8}.move.down{color:#b54708}.move.same{color:var(--muted);font-weight:400}
      .move.new,.move.gone{font-weight:600;text-transform:uppercase;font-size:10.5px;letter-spacing:.05em;color:var(--muted)}
      .reason{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12.5px;\
      overflow-wrap:break-word}
      footer{color:var(--muted);font-size:12px;text-align:center;margin-top:8px}
      @media (max-width:760px){.stats{grid-template-columns:repeat(2,1fr)}main{padding:12px}}
      @media print{html{background:#fff}.card,.masthead{border:none}figure,tr{break-inside:avoid}.contents{display:none}}
      """;
}
