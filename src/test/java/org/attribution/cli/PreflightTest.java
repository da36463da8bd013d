package org.attribution.cli;

import static org.attribution.cli.BadInputTest.assertRejected;
import static org.attribution.cli.BadInputTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that stop a run before its cost is spent: an output location that cannot be written,
 * found before any data is read, and a plan of absurdly many model evaluations, refused before the
 * explain stage with its numbers.
 */
class PreflightTest {

  @TempDir static Path dir;

  @BeforeAll
  static void countJobs() {
    BadInputTest.countJobs();
  }

  static Path jobFile(String name, String output, String method, String execution) throws Exception {
    String yaml = """
        job_name: preflight
        input: {path: %s, id_column: loan_id}
        features:
          columns: %s
          categorical: [term, sub_grade, addr_state, verification_status, emp_length]
          vocabulary_file: %s
        model: {path: %s, output: softmax}
        target: {mode: class, class_index: 1}
        method: %s
        execution: %s
        output: {path: %s}
        """.formatted(BadInputTest.DATA, BadInputTest.COLUMNS, BadInputTest.VOCABULARY, BadInputTest.MODEL, method,
        execution, output);
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  /**
   * A path below a regular file can never be a directory, whoever runs the test (root ignores
   * permissions, so a read-only directory would not fail here): refused before any Spark job.
   */
  @Test
  void anOutputBelowARegularFileIsRefusedBeforeAnyDataIsRead() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file.txt"), "not a directory");
    Path output = file.resolve("audits");
    Path job = jobFile("below-file", output.toString(), "{name: integrated_gradients, steps: 8}", "{}");
    assertRejected(run("--job", job.toString()), "Cannot write to " + output + ": " + file
        + " is a file, not a directory");
    assertTrue(Files.isRegularFile(file), "the file is left as it was");
  }

  /** A writable new output directory passes the check and is left as it was found: absent. */
  @Test
  void theWriteCheckLeavesNothingBehind() throws Exception {
    Path output = dir.resolve("fresh");
    Path job = jobFile("fresh", output.toString(), "{name: integrated_gradients, steps: 8}",
        "{max_evaluations: 1}");
    BadInputTest.Outcome outcome = run("--job", job.toString());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode(), outcome.err());
    assertTrue(Files.notExists(output), "nothing left by the check and a refused plan");
  }

  @Test
  void anAbsurdPlanIsRefusedWithItsNumbers() throws Exception {
    Path job = jobFile("absurd", dir.resolve("absurd").toString(),
        "{name: integrated_gradients, rule: riemann_left, steps: 100000}", "{max_evaluations: 100000000}");
    BadInputTest.Outcome outcome = run("--job", job.toString());
    assertEquals("Cannot run this plan: 9,857 rows × 100,001 model evaluations per row (integrated_gradients) ="
        + " 985,709,857 evaluations, more than execution.max_evaluations (100,000,000); explain fewer rows, lower the"
        + " method's cost (steps, budget, samples, permutations or background.size), or raise"
        + " execution.max_evaluations", outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
  }

  /**
   * {@code model.device: gpu} where nobody has a GPU: the driver checks the model on the CPU
   * (on most GPU clusters only the executors have GPUs), and the executors' check before the
   * explain stage says which executor failed and why, without retrying its tasks.
   */
  @Test
  void aModelThatCannotRunOnTheExecutorsStopsTheRunBeforeTheExplainStage() throws Exception {
    Path job = jobFile("gpu", dir.resolve("gpu").toString(), "{name: integrated_gradients, steps: 8}", "{}");
    Path gpuJob = Files.writeString(job, Files.readString(job).replace("output: softmax}", "output: softmax, device: gpu}"));
    BadInputTest.Outcome outcome = run("--job", gpuJob.toString());
    assertEquals("Cannot run the model on the executors: executor driver on 127.0.0.1: Cannot use GPU: no GPU was"
        + " assigned to this task and the PyTorch engine sees none", outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
    assertTrue(Files.notExists(dir.resolve("gpu").resolve("runs")), "nothing committed");
  }
}
