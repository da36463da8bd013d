package org.attribution.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the command line checks before it starts Spark: everything that needs no data. The
 * command line here gets a stand-in for its Spark session that counts how often a run asked for
 * one, so "refused before Spark starts" is a count of zero, not a guess about a shared JVM.
 */
class EarlyChecksTest {

  static final String JOB = """
      job_name: early
      input: {path: data/x.parquet}
      features: {columns: [a, b]}
      model: {path: m.pt}
      method: {name: integrated_gradients, steps: 20, rule: trapezoid}
      output: {path: out}
      """;

  @TempDir Path dir;
  final AtomicInteger sessionsStarted = new AtomicInteger();

  record Outcome(int exitCode, String out, String err) {}

  Outcome run(String... args) throws Exception {
    Path job = Files.writeString(dir.resolve("job.yaml"), JOB);
    String[] all = new String[args.length + 2];
    all[0] = "--job";
    all[1] = job.toString();
    System.arraycopy(args, 0, all, 2, args.length);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AttributionCli cli = new AttributionCli(config -> {
      sessionsStarted.incrementAndGet();
      throw new IllegalStateException("no Spark in this test");
    });
    int code = AttributionCli.run(cli, all, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Outcome(code, out.toString().strip(), err.toString().strip());
  }

  void assertRefusedBeforeSpark(Outcome outcome, String message) {
    assertEquals(message, outcome.err(), "stderr");
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode(), "exit code");
    assertEquals(0, sessionsStarted.get(), "Spark sessions asked for");
  }

  @Test
  void aValidJobGetsAsFarAsStartingSpark() throws Exception {
    Outcome outcome = run("--run-id", "audit-1");
    assertTrue(outcome.err().startsWith("spark-attribution failed: java.lang.IllegalStateException: no Spark in this"
        + " test"), outcome.err());
    assertEquals(1, sessionsStarted.get());
  }

  @Test
  void aBadRunIdIsRefusedBeforeSparkStarts() throws Exception {
    assertRefusedBeforeSpark(run("--run-id", "a/b"), "Cannot use run id 'a/b': it must start with a letter and"
        + " contain only letters, digits, '.', '_' and '-' (at most 200)");
  }

  @Test
  void aBadRunIdFailsValidateOnlyToo() throws Exception {
    assertRefusedBeforeSpark(run("--run-id", "2026", "--validate-only"), "Cannot use run id '2026': it must start"
        + " with a letter and contain only letters, digits, '.', '_' and '-' (at most 200)");
  }

  @Test
  void aNegativeTopIsRefusedBeforeSparkStarts() throws Exception {
    assertRefusedBeforeSpark(run("--top", "-1"), "Cannot print the top -1 features: --top must be 0 or more");
  }

  @Test
  void switchingTheMethodPrintsWhatWasDropped() throws Exception {
    Outcome outcome = run("--method", "kernel_shap", "--set", "method.budget=64", "--validate-only");
    assertEquals("Note: method.name=kernel_shap from the command line replaces the integrated_gradients settings in "
        + dir.resolve("job.yaml") + "; dropped method.steps, method.rule", outcome.err());
    assertEquals("Job file " + dir.resolve("job.yaml") + " is valid.", outcome.out());
    assertEquals(0, outcome.exitCode());
  }

  @Test
  void unsettingARequiredKeyIsRefusedBeforeSparkStarts() throws Exception {
    assertRefusedBeforeSpark(run("--unset", "model.path", "--unset", "method.steps"),
        "Cannot run job: 'model.path' is missing");
  }

  @Test
  void aKeyBothSetAndUnsetIsRefused() throws Exception {
    assertRefusedBeforeSpark(run("--steps", "10", "--unset", "method.steps"),
        "Cannot unset method.steps: the command line also sets it");
  }
}
