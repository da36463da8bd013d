package org.attribution.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Pattern;
import org.attribution.aggregate.DriftSummary;
import org.junit.jupiter.api.Test;

/** What the report says when completeness is poor or drift compares across methods. */
class HtmlReportWarningsTest {

  static ReportData with(List<RunManifest.Completeness> completeness, DriftSummary drift) {
    ReportData sample = SampleReports.lendingClub();
    return new ReportData(sample.run(), sample.rows(), sample.rejectReasons(), completeness, sample.baseValues(),
        sample.importance(), sample.drift(), drift);
  }

  @Test
  void aLargeRelativeGapIsFlaggedInItsTargetsSectionAndTheQualityTable() {
    // Target bad: 0.0062 / 0.2 = 3.1%; target good: 1e-7 / 0.2, far below 1%.
    ReportData data = with(List.of(new RunManifest.Completeness(0, "good", 1e-7, 1e-6, 0.2),
        new RunManifest.Completeness(1, "bad", 0.0062, 0.05, 0.2)), SampleReports.lendingClub().driftSummary());
    String html = HtmlReport.render(data);
    String alert = "<p class=\"alert\">Completeness: relative completeness gap 3.10% is above 1.00%: raise"
        + " method.steps; the gap is the quadrature error of the path integral, which falls fast with method.rule"
        + " gauss_legendre on smooth models but only as 1/steps on piecewise-linear (ReLU) ones.</p>";
    assertEquals(1, html.split(Pattern.quote(alert), -1).length - 1, "once, for target bad only");
    int badSection = html.indexOf("id=\"target-1\"");
    assertTrue(html.indexOf(alert) > badSection && html.indexOf(alert) < html.indexOf("<figure>", badSection),
        "above bad's chart");
    assertTrue(html.contains("<td class=\"n\">0.031 <span class=\"badge warn\">flagged</span></td></tr>"));
    assertEquals(1, html.split("badge warn\">flagged", -1).length - 1);
    assertTrue(html.contains("above 1.0% it is flagged."));
  }

  @Test
  void driftAgainstAnotherMethodWarnsAndDoesNotGate() {
    DriftSummary sample = SampleReports.lendingClub().driftSummary();
    String warning = "Run ig-1 used integrated_gradients, this run kernel_shap: attributions of different methods"
        + " measure different things, so this drift is for information only and the drift gate is not applied";
    DriftSummary across = new DriftSummary("ig-1", sample.k(), sample.targets(), 13, 0.02, false, warning, true);
    String html = HtmlReport.render(with(SampleReports.lendingClub().completeness(), across));
    assertTrue(html.contains("<div class=\"stat warn\"><div class=\"stat-name\">Drift gate</div>"
        + "<div class=\"stat-value\">Not applied</div><div class=\"stat-detail\">13 significant changes against"
        + " another method</div></div>"));
    assertTrue(html.contains("<span class=\"badge warn\">gate not applied</span></p>\n<p class=\"alert\">"
        + warning + ".</p>"));
    assertFalse(html.contains("over threshold"), "no target is judged against the threshold");
    assertFalse(html.contains("class=\"alert\">Completeness"), "the sample's gaps are tiny");
  }
}
