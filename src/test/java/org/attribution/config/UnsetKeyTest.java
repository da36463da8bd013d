package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An override with a null value removes the key, as if the job file did not have it. */
class UnsetKeyTest {

  static final String JOB = """
      job_name: audit
      input: {path: data/x.parquet, partitions: 8}
      features: {columns: [a, b]}
      model: {path: m.pt}
      method: {steps: 20, rule: trapezoid}
      output: {path: out}
      execution: {call_rows: 512}
      """;

  @TempDir Path dir;

  JobConfig load(String... unset) throws Exception {
    Path file = Files.writeString(dir.resolve("job.yaml"), JOB);
    Map<String, String> overrides = new LinkedHashMap<>();
    for (String key : unset) {
      overrides.put(key, null);
    }
    return JobConfigLoader.load(file, overrides, note -> {
      throw new AssertionError("unexpected note: " + note);
    });
  }

  @Test
  void unsetKeysTakeTheirDefaults() throws Exception {
    JobConfig config = JobConfigValidator.validate(
        load("method.steps", "job_name", "input.partitions", "execution.call_rows"));
    IntegratedGradientsConfig ig = (IntegratedGradientsConfig) config.method();
    assertEquals(Defaults.IG_STEPS, ig.steps());
    assertEquals("trapezoid", ig.rule());
    assertEquals(Defaults.JOB_NAME, config.jobName());
    assertNull(config.input().partitions());
    assertNull(config.execution().callRows());
  }

  @Test
  void aKeyTheFileDoesNotHaveIsAlreadyAtItsDefault() throws Exception {
    JobConfig config = JobConfigValidator.validate(load("seed", "drift.top_k", "method.baseline"));
    assertEquals(Defaults.SEED, config.seed());
    assertEquals(Defaults.DRIFT_TOP_K, config.drift().topK());
  }

  @Test
  void unsettingARequiredKeyIsTheUsualMissingKey() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> JobConfigValidator.validate(load("model.path")));
    assertEquals("Cannot run job: 'model.path' is missing", e.getMessage());
  }

  @Test
  void aMisspeltKeyIsRefusedLikeInTheFile() {
    assertEquals("Cannot unset method.stepz: unknown key 'method.stepz'; known keys here: baseline, baseline_values,"
        + " rule, steps", assertThrows(InvalidJobException.class, () -> load("method.stepz")).getMessage());
    assertEquals("Cannot unset method.budget: unknown key 'method.budget'; known keys here: baseline,"
        + " baseline_values, rule, steps", assertThrows(InvalidJobException.class, () -> load("method.budget"))
        .getMessage());
    assertEquals("Cannot unset outptu.path: unknown key 'outptu'; known keys here: background, drift, execution,"
        + " features, input, job_name, method, model, output, quality, report, seed, segment_by, segment_min_rows, target",
        assertThrows(InvalidJobException.class, () -> load("outptu.path")).getMessage());
  }

  @Test
  void aKeyInsideAValueIsRefused() {
    assertEquals("Cannot unset input.path.x: 'input.path' is not a mapping",
        assertThrows(InvalidJobException.class, () -> load("input.path.x")).getMessage());
  }
}
