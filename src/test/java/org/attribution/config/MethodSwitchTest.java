package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Naming another method on the command line than the job file's starts that method from its
 * defaults: the file's keys for its own method are dropped, with a note that lists them.
 */
class MethodSwitchTest {

  static final String COMMON = """
      input: {path: data/x.parquet}
      features: {columns: [a, b]}
      model: {path: m.pt}
      output: {path: out}
      """;
  static final String IG = COMMON + "method: {name: integrated_gradients, steps: 20, rule: trapezoid}\n";
  static final String SHAP = COMMON + "method: {name: kernel_shap, budget: 64}\nbackground: {source: kmeans, k: 5}\n";

  @TempDir Path dir;
  final List<String> notes = new ArrayList<>();

  JobConfig load(String yaml, String... overrides) throws Exception {
    Path file = Files.writeString(dir.resolve("job.yaml"), yaml);
    Map<String, String> all = new LinkedHashMap<>();
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    return JobConfigValidator.validate(JobConfigLoader.load(file, all, notes::add));
  }

  String note(String method, String fileMethod, String dropped) {
    return "Note: method.name=" + method + " from the command line replaces the " + fileMethod + " settings in "
        + dir.resolve("job.yaml") + "; dropped " + dropped;
  }

  @Test
  void anotherMethodStartsFromItsDefaultsAndTheDroppedKeysAreNamed() throws Exception {
    KernelShapConfig kernel = assertInstanceOf(KernelShapConfig.class, load(IG, "method.name", "kernel_shap").method());
    assertNull(kernel.budget());
    assertEquals(List.of(note("kernel_shap", "integrated_gradients", "method.steps, method.rule")), notes);
  }

  @Test
  void commandLineKeysOfTheNewMethodStillApply() throws Exception {
    JobConfig config = load(IG, "method.name", "kernel_shap", "method.budget", "100");
    assertEquals(100, ((KernelShapConfig) config.method()).budget());
    assertEquals(List.of(note("kernel_shap", "integrated_gradients", "method.steps, method.rule")), notes);
  }

  @Test
  void commandLineKeysOfTheOldMethodAreUnknownToTheNewOne() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> load(IG, "method.name", "kernel_shap", "method.steps", "10"));
    assertEquals("Cannot read job file " + dir.resolve("job.yaml") + ": unknown key 'method.steps'; known keys here: "
        + "adjustment, adjustment_trees, budget, target_error", e.getMessage());
  }

  @Test
  void aMethodWithoutBackgroundDropsTheBackgroundToo() throws Exception {
    JobConfig config = load(SHAP, "method.name", "integrated_gradients", "method.steps", "7");
    assertEquals(7, ((IntegratedGradientsConfig) config.method()).steps());
    assertNull(config.background());
    assertEquals(List.of(note("integrated_gradients", "kernel_shap",
        "method.budget, background.source, background.k")), notes);
  }

  @Test
  void anotherShapMethodKeepsTheBackground() throws Exception {
    JobConfig config = load(SHAP, "method.name", "gradient_shap");
    assertInstanceOf(GradientShapConfig.class, config.method());
    assertEquals("kmeans", config.background().source());
    assertEquals(List.of(note("gradient_shap", "kernel_shap", "method.budget")), notes);
  }

  @Test
  void theFilesOwnMethodChangesNothing() throws Exception {
    JobConfig config = load(IG, "method.name", "integrated_gradients");
    assertEquals(20, ((IntegratedGradientsConfig) config.method()).steps());
    assertEquals(List.of(), notes);
  }

  @Test
  void aFileWithoutMethodKeysHasNothingToDrop() throws Exception {
    assertInstanceOf(KernelShapConfig.class, load(COMMON, "method.name", "kernel_shap").method());
    assertInstanceOf(SamplingShapleyConfig.class,
        load(COMMON + "method: {name: integrated_gradients}\n", "method.name", "sampling_shapley").method());
    assertEquals(List.of(), notes);
  }

  @Test
  void unsettingTheMethodNameSwitchesToTheDefaultMethod() throws Exception {
    Map<String, String> unset = new LinkedHashMap<>();
    unset.put("method.name", null);
    Path file = Files.writeString(dir.resolve("job.yaml"), SHAP);
    JobConfig config = JobConfigValidator.validate(JobConfigLoader.load(file, unset, notes::add));
    assertInstanceOf(IntegratedGradientsConfig.class, config.method());
    assertEquals(List.of(note("integrated_gradients", "kernel_shap",
        "method.budget, background.source, background.k")), notes);
  }

  @Test
  void aWholeMethodSectionFromTheCommandLineReplacesTheFilesWithoutANote() throws Exception {
    JobConfig config = load(IG, "method", "{name: kernel_shap, budget: 8}");
    assertEquals(8, ((KernelShapConfig) config.method()).budget());
    assertEquals(List.of(), notes);
  }
}
