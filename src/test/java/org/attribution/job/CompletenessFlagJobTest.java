package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.attribution.cli.AttributionCli;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Integrated Gradients with a single right-Riemann step, (x - x') times the gradient at x, misses
 * completeness on the sample model by far more than 1%: the command-line summary and the report
 * flag it, and with eight Gauss-Legendre steps they do not.
 */
class CompletenessFlagJobTest {

  static final String FLAG = "  Warning: relative completeness gap ";
  static final String ADVICE = "% is above 1.00%: raise method.steps; the gap is the quadrature error of the path"
      + " integral, which falls fast with method.rule gauss_legendre on smooth models but only as 1/steps on"
      + " piecewise-linear (ReLU) ones\n";

  @TempDir static Path dir;
  static Path data;

  @BeforeAll
  static void data() {
    data = dir.resolve("loans.parquet");
    SparkTestSession.get().read().parquet(SampleJob.DATA).filter(col("loan_id").leq(200)).write()
        .parquet(data.toString());
  }

  static String audit(String runId, String steps, String rule) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = AttributionCli.run(new String[] {"--job", SampleJob.JOB_FILE.toString(), "--run-id", runId,
        "--input", data.toString(), "--output", dir.resolve(runId).toString(), "--steps", steps,
        "--set", "method.rule=" + rule}, new PrintWriter(out, true), new PrintWriter(err, true));
    assertEquals(0, code, err.toString());
    return out.toString();
  }

  @Test
  void oneStepIsFlaggedWithItsAdvice() throws Exception {
    String out = audit("one-step", "1", "riemann_right");
    int at = out.indexOf(FLAG);
    assertTrue(at > 0, out);
    assertTrue(out.indexOf("Top features for target bad") < at, "under its target's heading");
    String percent = out.substring(at + FLAG.length(), out.indexOf('%', at));
    assertTrue(Double.parseDouble(percent) > 1, percent);
    assertTrue(out.startsWith(ADVICE, at + FLAG.length() + percent.length()), out);
    String report = Files.readString(dir.resolve("one-step/reports/one-step.html"));
    assertTrue(report.contains("<p class=\"alert\">Completeness: relative completeness gap " + percent
        + ADVICE.strip() + ".</p>"), "the report flags the same gap");
  }

  @Test
  void eightGaussLegendreStepsAreNotFlagged() throws Exception {
    String out = audit("eight-steps", "8", "gauss_legendre");
    assertFalse(out.contains("Warning"), out);
    assertFalse(Files.readString(dir.resolve("eight-steps/reports/eight-steps.html")).contains("class=\"alert\""));
  }
}
