package org.attribution.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.aggregate.SamplingEffort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HtmlReportTest {

  private static final Pattern CHART_LABEL = Pattern.compile("<text class=\"label\"[^>]*>([^<]*)</text>");

  @Test
  void theSummaryPlotDrawsOneDotPerSampledRowAndFeature() {
    String html = HtmlReport.render(SampleReports.lendingClub());
    List<String> summaries = svgs(html, "summary-plot");
    assertEquals(2, summaries.size(), "one summary plot per target");
    int features = Math.min(SamplePlots.SUMMARY_FEATURES, SampleReports.FEATURES.size());
    for (String svg : summaries) {
      assertEquals(SampleReports.SAMPLE_ROWS * features, count(svg, "<circle "));
      assertEquals(features, count(svg, "<text class=\"label\""));
    }
    // The top feature of target 0 is int_rate, numeric: its dots run from blue (low) to red (high).
    assertTrue(summaries.get(0).contains(">int_rate</text>"));
    assertTrue(summaries.get(0).contains("fill=\"#1e88e5\"") && summaries.get(0).contains("fill=\"#ff0052\""));
    List<String> dependence = svgs(html, "dependence-plot");
    assertEquals(2 * SamplePlots.DEPENDENCE_FEATURES, dependence.size());
    dependence.forEach(svg -> assertEquals(SampleReports.SAMPLE_ROWS, count(svg, "<circle ")));
  }

  @Test
  void dotsArePlacedToTheNearestTenthOfAPixel() {
    for (double v : new double[] {12.34, 12.35, 7, 0.04, -3.26, -0.06, -558.45, 599.96}) {
      assertEquals(String.format(Locale.ROOT, "%.1f", v), SamplePlots.tenths(new StringBuilder(), v).toString());
    }
    assertEquals("0.0", SamplePlots.tenths(new StringBuilder(), -0.04).toString());
    // Where %.1f, which rounds the shortest decimal, differs: 990.4499999999999 x 10 is 9904.5 in
    // binary. A twentieth of a pixel.
    assertEquals("990.5", SamplePlots.tenths(new StringBuilder(), 990.4499999999999).toString());
    String svg = svgs(HtmlReport.render(SampleReports.lendingClub()), "dependence-plot").get(0);
    assertTrue(Pattern.compile("<circle cx=\"\\d+\\.\\d\" cy=\"-?\\d+\\.\\d\" r=\"2.2\"/>").matcher(svg).find(), svg);
  }

  @Test
  void theQualitySectionDrawsTheCurvesAndListsEveryMeasure() {
    String html = HtmlReport.render(SampleReports.lendingClub());
    List<String> curves = svgs(html, "curve");
    assertEquals(4, curves.size(), "deletion and insertion, per target");
    for (String svg : curves) {
      assertEquals(1, count(svg, "<polyline class=\"ranked\""));
      assertEquals(1, count(svg, "<polyline class=\"random\""));
      Matcher points = Pattern.compile("<polyline class=\"ranked\" points=\"([^\"]*)\"").matcher(svg);
      assertTrue(points.find());
      assertEquals(21, points.group(1).split(" ").length, "20 steps over 22 features, and the start");
    }
    for (String measure : List.of("deletion_aopc", "insertion_aopc", "max_sensitivity", "infidelity",
        "completeness_gap")) {
      assertTrue(count(svgless(html, "quality-drift"), "<td>" + measure + "</td>") == 2, measure);
    }
    assertTrue(html.contains("Quality since run"));
    Matcher drift = Pattern.compile("(?s)<table class=\"quality-drift\">.*?</table>").matcher(html);
    assertTrue(drift.find());
    assertEquals(2, count(drift.group(), "significant</span>"), "max_sensitivity moved significantly for both targets");
  }

  @Test
  void aReportWithoutSampleOrQualityHasNeitherSection() {
    String html = HtmlReport.render(SampleReports.withImportance(List.of(SampleReports.overall(0, "y", "a", 0.3, 1))));
    assertTrue(svgs(html, "summary-plot").isEmpty());
    assertTrue(svgs(html, "curve").isEmpty());
    assertFalse(html.contains("How far to trust"));
  }

  private static List<String> svgs(String html, String cssClass) {
    List<String> found = new ArrayList<>();
    Matcher m = Pattern.compile("<svg class=\"chart " + cssClass + "\".*?</svg>", Pattern.DOTALL).matcher(html);
    while (m.find()) {
      found.add(m.group());
    }
    return found;
  }

  /** The page without its tables of class {@code cssClass}. */
  private static String svgless(String html, String cssClass) {
    return html.replaceAll("(?s)<table class=\"" + cssClass + "\">.*?</table>", "");
  }

  private static int count(String text, String part) {
    return text.split(Pattern.quote(part), -1).length - 1;
  }

  @Test
  void pageLoadsNothingFromOutside() {
    String html = HtmlReport.render(SampleReports.lendingClub()).toLowerCase(Locale.ROOT);
    for (String forbidden : List.of("http://", "https://", "src=", "<link", "@import", "url(", "<script")) {
      assertFalse(html.contains(forbidden), () -> "the page contains " + forbidden);
    }
  }

  @Test
  void escapesEveryStringFromData() {
    List<ImportanceRow> importance = new ArrayList<>(List.of(
        SampleReports.overall(1, "bad", "<script>alert(1)</script>", 0.3, 1),
        SampleReports.overall(1, "bad", "a&b", 0.2, 2)));
    for (String feature : List.of("<script>alert(1)</script>", "a&b")) {
      importance.add(new ImportanceRow("band\"<i>", "<b>low</b>", 1, "bad", feature, 10, 0.1, 0.0, 0.1, 0.01,
          0.08, 0.12, 0.5, 0.5, null, true));
    }
    ReportData data = new ReportData(
        new ReportData.Run("run'1", "job <x> & y", "m\"odel", "abc", "<table>", "ig", "t0", "t1"),
        new ReportData.Rows(12, 10, 2, 5), Map.of("unknown category '<img onerror=alert(1)>' in 'c'", 2L),
        List.of(new RunManifest.Completeness(1, "bad", 1e-7, 1e-6, 0.2)), Map.of(), importance, null, null);

    String html = HtmlReport.render(data);

    assertFalse(html.contains("<script"));
    assertFalse(html.contains("<img"));
    assertFalse(html.contains("<b>low"));
    assertFalse(html.contains("<i>"));
    assertFalse(html.contains("a&b"));
    assertFalse(html.contains("<x>"));
    assertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("a&amp;b"));
    assertTrue(html.contains("&lt;b&gt;low&lt;/b&gt;"));
    assertTrue(html.contains("band&quot;&lt;i&gt;"));
    assertTrue(html.contains("&lt;img onerror=alert(1)&gt;"));
    assertTrue(html.contains("job &lt;x&gt; &amp; y"));
    assertTrue(html.contains("run&#39;1"));
    // The chart labels its bars with the escaped names too.
    assertEquals(List.of("&lt;script&gt;alert(1)&lt;/script&gt;", "a&amp;b"), chartLabels(html));
  }

  @Test
  void showsTheTopFeaturesInRankOrder() {
    String[] byRank = {"f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8"};
    List<ImportanceRow> importance = new ArrayList<>();
    // Given out of order, as an aggregation may return them.
    for (int rank : new int[] {5, 2, 8, 1, 7, 3, 6, 4}) {
      importance.add(SampleReports.overall(0, "0", byRank[rank - 1], 1.0 / rank, rank));
    }
    ReportData base = SampleReports.withImportance(importance);
    ReportData data = new ReportData(base.run(), base.rows(), base.rejectReasons(), base.completeness(),
        base.baseValues(), base.importance(), null, null, 5);

    String html = HtmlReport.render(data);

    assertEquals(List.of("f1", "f2", "f3", "f4", "f5"), chartLabels(html));
    String table = between(html, "<table class=\"importance\">", "</table>");
    int previous = -1;
    for (int i = 0; i < 5; i++) {
      int at = table.indexOf("<td class=\"feature\">" + byRank[i] + "</td>");
      assertTrue(at > previous, () -> "table row out of rank order: " + table);
      previous = at;
    }
    assertFalse(table.contains(">f6<"));
    assertTrue(html.contains("3 more features not shown"));
  }

  @Test
  void everyBarHasAConfidenceWhisker() {
    String html = HtmlReport.render(SampleReports.lendingClub());
    int targets = 2;
    assertEquals(targets * ReportData.DEFAULT_TOP_N, occurrences(html, "class=\"bar\""));
    assertEquals(targets * ReportData.DEFAULT_TOP_N, occurrences(html, "<g class=\"ci\">"));
    // A whisker is the interval's line and its two caps; grid and axis lines have a class.
    assertEquals(3 * ReportData.DEFAULT_TOP_N, occurrences(between(html, "<svg", "</svg>"), "<line x1"));
  }

  @Test
  void oneRowHasBarsButNoIntervals() {
    List<ImportanceRow> importance = List.of(
        new ImportanceRow(null, null, 0, "0", "x1", 1, 0.5, 0.5, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            0.625, 1.0, 1, false),
        new ImportanceRow(null, null, 0, "0", "x2", 1, 0.3, -0.3, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            0.375, 0.0, 2, false));

    String html = HtmlReport.render(SampleReports.withImportance(importance));

    assertEquals(2, occurrences(html, "class=\"bar\""));
    assertEquals(0, occurrences(html, "class=\"ci\""));
    assertFalse(html.contains("NaN"));
    assertFalse(html.contains("Infinity"));
    assertTrue(html.contains("<td class=\"n\">" + ReportFormat.NONE + "</td>"), "std shown as a dash");
  }

  @Test
  void driftSectionOnlyWithDrift() {
    String withDrift = HtmlReport.render(SampleReports.lendingClub());
    assertTrue(withDrift.contains("<section class=\"card\" id=\"drift\">"));
    assertTrue(withDrift.contains("href=\"#drift\""));
    assertTrue(withDrift.contains("lending-club-audit-20261116T104812Z-1c9a"));

    String firstRun = HtmlReport.render(firstRun(SampleReports.lendingClub()));
    assertFalse(firstRun.contains("id=\"drift\""));
    assertFalse(firstRun.contains("href=\"#drift\""));
    assertFalse(firstRun.contains("nDCG"));
    assertTrue(firstRun.contains("no previous run to compare with"));
    // Everything else is still there.
    assertTrue(firstRun.contains("id=\"target-1\""));
    assertTrue(firstRun.contains("id=\"quality\""));
  }

  @Test
  void significantChangesAreHighlightedWithRankMoves() {
    String html = HtmlReport.render(SampleReports.lendingClub());
    String drift = between(html, "id=\"drift\"", "</section>");
    // revol_util and annual_inc for each of the two targets.
    assertEquals(4, occurrences(drift, "<tr class=\"sig\">"));
    assertEquals(4, occurrences(drift, "<span class=\"badge warn\">significant</span>"));
    assertTrue(drift.contains("\u25b2"));
    assertTrue(drift.contains("\u25bc"));
    assertTrue(drift.contains("gate passed"));
  }

  @Test
  void failedGateShows() {
    ReportData sample = SampleReports.lendingClub();
    DriftSummary summary = sample.driftSummary();
    ReportData failed = new ReportData(sample.run(), sample.rows(), sample.rejectReasons(), sample.completeness(),
        sample.baseValues(), sample.importance(), sample.drift(),
        new DriftSummary(summary.previousRunId(), summary.k(), summary.targets(),
            summary.significantChanges(), 0.02, true, null, false));

    String html = HtmlReport.render(failed);

    assertTrue(html.contains("<div class=\"stat bad\"><div class=\"stat-name\">Drift gate</div>"
        + "<div class=\"stat-value\">Failed</div>"));
    assertTrue(html.contains("gate failed"));
    // bad: 1 - 0.9612 > 0.02; good: 1 - 0.9874 <= 0.02.
    assertEquals(1, occurrences(html, "over threshold"));
    assertEquals(1, occurrences(html, "within threshold"));
  }

  @Test
  void lowCountSegmentsAreMarkedAndNotShaded() {
    String html = HtmlReport.render(SampleReports.lendingClub());
    assertEquals(2, occurrences(html, "<th class=\"n seg low\">&gt;500k<span class=\"seg-count\">n = 23</span>"
        + "<span class=\"badge low\">low count</span></th>"));
    // The top 10 features of both targets in the low-count segment, without the heat shading.
    assertEquals(20, occurrences(html, "<td class=\"n low\" title="));
    assertEquals(2, occurrences(html, "<th class=\"n seg\">50k-75k<span class=\"seg-count\">n = 2,655</span></th>"));
    assertTrue(html.contains("not ranked"));
  }

  @Test
  void formatsCountsAndShortensTheModelHash() {
    String html = HtmlReport.render(SampleReports.lendingClub());
    assertTrue(html.contains("<div class=\"stat-value\">9,857</div>"));
    assertTrue(html.contains("<div class=\"stat-value\">2,388</div>"));
    assertTrue(html.contains("title=\"SHA-256 dcf81b89acb641d8a1420e6c5be676f5d69d1c402be6048bbef746e32e27dcf4\">"
        + "dcf81b89acb6\u2026</code>"));
    assertTrue(html.contains("2026-11-23 10:53:39 UTC"));
    assertTrue(html.contains("4 min 12 s"));
    assertTrue(html.contains("<td class=\"reason\">unknown category &#39;XX&#39; in feature &#39;addr_state&#39;</td>"
        + "<td class=\"n\">9</td><td class=\"n\">64.3%</td>"));
  }

  @Test
  void unlistedRejectReasonsAreShownAsOther() {
    ReportData sample = SampleReports.withImportance(List.of(SampleReports.overall(0, "0", "x", 1, 1)));
    ReportData data = new ReportData(sample.run(), new ReportData.Rows(1_000, 975, 25, 10),
        Map.of("NaN in feature 'x'", 20L), sample.completeness(), sample.baseValues(), sample.importance(), null, null);

    String html = HtmlReport.render(data);

    assertTrue(html.contains("<span class=\"muted\">other reasons</span></td><td class=\"n\">5</td>"));
  }

  @Test
  void aTargetErrorShowsWhatTheRowsSpentAndHowManyStoppedShort() {
    ReportData sample = SampleReports.withImportance(List.of(SampleReports.overall(0, "0", "x", 1, 1)));
    SamplingEffort effort = new SamplingEffort(0.02, 20_881, 1_000, 12_345_678, 12_345.678, 30, 0.03);
    ReportData data = new ReportData(sample.run(), new ReportData.Rows(1_000, 1_000, 0, 10, effort), Map.of(),
        sample.completeness(), sample.baseValues(), sample.importance(), null, null);

    String html = HtmlReport.render(data);

    assertTrue(html.contains("Target error"), html);
    assertTrue(html.contains("2.0%"));
    assertTrue(html.contains("3.0% of results stopped at the cap short of it; 12,346 of at most 20,881 evaluations"
        + " per result"));
    assertFalse(HtmlReport.render(sample).contains("Target error"), "no target, no figure");
  }

  @Test
  void numbersHaveFourSignificantDigits() {
    assertEquals("0.1113", ReportFormat.num(0.111276));
    assertEquals("0.04242", ReportFormat.num(0.0424164));
    assertEquals("0.0001349", ReportFormat.num(1.3494e-4));
    assertEquals("9.39e-7", ReportFormat.num(9.39e-07));
    assertEquals("2388", ReportFormat.num(2388.4));
    assertEquals("12,346", ReportFormat.num(12345.6));
    assertEquals("0", ReportFormat.num(0));
    assertEquals(ReportFormat.NONE, ReportFormat.num(Double.NaN));
    assertEquals("+0.5", ReportFormat.signed(0.5));
    assertEquals("-37.5%", ReportFormat.signedPercent(-0.375));
    assertEquals("+81.8%", ReportFormat.signedPercent(0.8178));
    assertEquals("<0.1%", ReportFormat.percent(0.0004));
    assertEquals("9,857", ReportFormat.count(9857));
  }

  @Test
  void writesUtf8ToAHadoopFileSystem(@TempDir Path dir) throws Exception {
    ReportData data = SampleReports.withImportance(List.of(SampleReports.overall(0, "0", "größe \u2264 5", 1, 1)));
    Path file = dir.resolve("report.html");

    HtmlReport.write(data, file.toUri().toString(), new Configuration());

    String written = Files.readString(file, StandardCharsets.UTF_8);
    assertEquals(HtmlReport.render(data), written);
    assertTrue(written.contains("größe \u2264 5"));
    assertTrue(written.startsWith("<!DOCTYPE html>"));
  }

  @Test
  void driftNeedsItsSummary() {
    ReportData sample = SampleReports.lendingClub();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ReportData(sample.run(), sample.rows(), sample.rejectReasons(), sample.completeness(),
            sample.baseValues(), sample.importance(), sample.drift(), null));
    assertEquals("Cannot build report data: drift rows and drift summary must both be given or both be null",
        e.getMessage());
  }

  private static ReportData firstRun(ReportData data) {
    return new ReportData(data.run(), data.rows(), data.rejectReasons(), data.completeness(), data.baseValues(),
        data.importance(), null, null);
  }

  /** The feature labels of the first chart, top to bottom. */
  private static List<String> chartLabels(String html) {
    Matcher m = CHART_LABEL.matcher(between(html, "<svg", "</svg>"));
    List<String> labels = new ArrayList<>();
    while (m.find()) {
      labels.add(m.group(1));
    }
    return labels;
  }

  private static String between(String text, String start, String end) {
    int from = text.indexOf(start);
    assertTrue(from >= 0, () -> "missing " + start);
    return text.substring(from, text.indexOf(end, from) + end.length());
  }

  private static int occurrences(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
      n++;
    }
    return n;
  }
}
