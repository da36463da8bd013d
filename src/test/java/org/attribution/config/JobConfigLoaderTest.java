package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigLoaderTest {

  static final String MINIMAL = """
      input: {path: data/x.parquet}
      features: {columns: [a, b]}
      model: {path: m.pt}
      output: {path: out}
      """;

  private static JobConfig parse(String yaml, Map<String, String> overrides) {
    return JobConfigLoader.parse(yaml, "job.yaml", overrides);
  }

  private static String failure(String yaml) {
    return assertThrows(InvalidJobException.class, () -> JobConfigValidator.validate(parse(yaml, Map.of())))
        .getMessage();
  }

  @Test
  void minimalFileGetsEveryDefault() {
    JobConfig config = parse(MINIMAL, Map.of());
    assertEquals(Defaults.JOB_NAME, config.jobName());
    assertEquals(Defaults.SEED, config.seed());
    assertEquals("parquet", config.input().format());
    assertEquals(Defaults.MODEL_OUTPUT, config.model().output());
    assertEquals("m.pt", config.model().name());
    assertEquals("predicted", config.target().mode());
    IntegratedGradientsConfig ig = (IntegratedGradientsConfig) config.method();
    assertEquals(Defaults.IG_STEPS, ig.steps());
    assertEquals(Defaults.IG_RULE, ig.rule());
    assertEquals(Defaults.IG_BASELINE, ig.baseline());
    assertEquals(Defaults.MEMORY_BUDGET_MB, config.execution().memoryBudgetMb());
    assertEquals(false, config.output().perRow());
    JobConfigValidator.validate(config);
  }

  @Test
  void formatIsInferredFromTheExtensionAndCsvGetsHeaderOptions() {
    JobConfig config = parse(MINIMAL.replace("data/x.parquet", "data/x.csv"), Map.of());
    assertEquals("csv", config.input().format());
    assertEquals("true", config.input().options().get("header"));
  }

  @Test
  void overridesGoThroughTheSameBindingAsTheFile() {
    JobConfig config = parse(MINIMAL, Map.of("method.steps", "128", "method.rule", "trapezoid",
        "output.per_row", "true", "features.columns", "[c, d, e]"));
    IntegratedGradientsConfig ig = (IntegratedGradientsConfig) config.method();
    assertEquals(128, ig.steps());
    assertEquals("trapezoid", ig.rule());
    assertTrue(config.output().perRow());
    assertEquals(List.of("c", "d", "e"), config.features().columns());
  }

  @Test
  void unknownKeyIsNamedWithItsPathAndTheKnownKeys() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> parse(MINIMAL + "method: {stepz: 3}\n", Map.of()));
    assertEquals("Cannot read job file job.yaml: unknown key 'method.stepz'; known keys here: "
        + "baseline, baseline_values, rule, steps", e.getMessage());
  }

  @Test
  void unknownTopLevelKey() {
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> parse(MINIMAL + "ouptut: {}\n", Map.of()));
    assertTrue(e.getMessage().startsWith("Cannot read job file job.yaml: unknown key 'ouptut'; known keys here: "),
        e.getMessage());
  }

  @Test
  void unknownMethod() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> parse(MINIMAL + "method: {name: magic}\n", Map.of()));
    assertEquals("Cannot read job file job.yaml: unknown method 'magic' at 'method'; known methods: "
        + "integrated_gradients, kernel_shap, gradient_shap, sampling_shapley, exact_shapley, saliency,"
        + " input_x_gradient, smoothgrad, occlusion, lime, permutation_importance, grad_cam", e.getMessage());
  }

  @Test
  void wrongTypeNamesTheKey() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> parse(MINIMAL + "method: {steps: lots}\n", Map.of()));
    assertTrue(e.getMessage().startsWith("Cannot read job file job.yaml: 'method.steps' must be an integer"),
        e.getMessage());
  }

  @Test
  void malformedYamlSaysWhere() {
    InvalidJobException e = assertThrows(InvalidJobException.class, () -> parse("input: [a, b\nmodel: x", Map.of()));
    assertTrue(e.getMessage().startsWith("Cannot read job file job.yaml: malformed YAML (line "), e.getMessage());
  }

  @Test
  void emptyAndMissingFiles(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    assertEquals("Cannot read job file " + empty + ": it is empty",
        assertThrows(InvalidJobException.class, () -> JobConfigLoader.load(empty, Map.of())).getMessage());
    Path missing = dir.resolve("missing.yaml");
    assertEquals("Cannot read job file " + missing + ": no such file",
        assertThrows(InvalidJobException.class, () -> JobConfigLoader.load(missing, Map.of())).getMessage());
  }

  @Test
  void validatorReportsEveryProblemAtOnce() {
    String message = failure("""
        input: {path: x.parquet, table: t}
        features: {columns: [a, a], categorical: [z]}
        model: {path: m.pt, output: logsoftmax}
        target: {mode: class}
        method: {steps: 0, baseline: vector}
        output: {}
        execution: {memory_budget_mb: 0, call_rows: 0}
        """);
    assertTrue(message.startsWith("Cannot run job: 10 problems in the job file:\n  - "), message);
    for (String expected : List.of(
        "'input' needs exactly one of 'path' or 'table'",
        "'features.columns' lists 'a' twice",
        "'features.categorical' names 'z', which is not in 'features.columns'",
        "'model.output': Cannot parse output transform 'logsoftmax'",
        "'target.mode: class' needs 'target.class_index' of 0 or more",
        "'method.rule': Cannot use gauss_legendre with 0 steps",
        "'method.baseline: vector' needs 'method.baseline_values'",
        "'output.path' is missing",
        "'execution.memory_budget_mb' must be at least 1, got 0",
        "'execution.call_rows' must be at least 1, got 0")) {
      assertTrue(message.contains(expected), () -> "missing <" + expected + "> in:\n" + message);
    }
  }

  @Test
  void singleProblemReadsAsOneSentence() {
    assertEquals("Cannot run job: 'target.mode' is 'best'; expected one of all, class, predicted",
        failure(MINIMAL + "target: {mode: best}\n"));
  }

  @Test
  void vectorModeExcludesColumns() {
    assertEquals("Cannot run job: 'features' needs exactly one of 'columns' or 'vector_column'",
        failure(MINIMAL.replace("{columns: [a, b]}", "{columns: [a], vector_column: v}")));
  }

  @Test
  void shapMethodsGetTheirDefaultsAndADefaultBackground() {
    JobConfig kernel = parse(MINIMAL + "method: {name: kernel_shap}\n", Map.of());
    assertEquals(new KernelShapConfig(null), kernel.method());
    assertEquals(new BackgroundConfig("sample", Defaults.BACKGROUND_SIZE, Defaults.BACKGROUND_CLUSTERS,
        Defaults.BACKGROUND_KMEANS_ROWS, null), kernel.background());
    assertEquals(new GradientShapConfig(Defaults.GRADIENT_SHAP_SAMPLES, 0.0),
        parse(MINIMAL + "method: {name: gradient_shap}\n", Map.of()).method());
    assertEquals(new SamplingShapleyConfig(Defaults.SAMPLING_SHAPLEY_PERMUTATIONS),
        parse(MINIMAL + "method: {name: sampling_shapley}\n", Map.of()).method());
    assertEquals(new ExactShapleyConfig(), parse(MINIMAL, Map.of("method.name", "exact_shapley")).method());
    assertEquals(new ExactShapleyConfig(Defaults.EXACT_SHAPLEY_MAX_PLAYERS), new ExactShapleyConfig());
    assertEquals(new SamplingShapleyConfig(64, 0.02),
        parse(MINIMAL + "method: {name: sampling_shapley, permutations: 64, target_error: 0.02}\n", Map.of())
            .method());
    assertEquals("Cannot run job: 'method.target_error' must be a relative error between 0 and 1 (e.g. 0.02 for"
        + " 2%), got 0.0", failure(MINIMAL + "method: {name: sampling_shapley, target_error: 0}\n"));
    assertEquals("cubic", ((KernelShapConfig) kernel.method()).adjustment());
    assertEquals(null, ((KernelShapConfig) kernel.method()).adjustmentTrees());
    // Trees named by their count alone, as before there was a choice; their count by default.
    assertEquals(new KernelShapConfig(4096, 0.01, "trees", 300),
        parse(MINIMAL + "method: {name: kernel_shap, budget: 4096, target_error: 0.01, adjustment_trees: 300}\n",
            Map.of()).method());
    assertEquals(new KernelShapConfig(null, null, "trees", Defaults.KERNEL_SHAP_ADJUSTMENT_TREES),
        parse(MINIMAL + "method: {name: kernel_shap, adjustment: trees}\n", Map.of()).method());
    assertEquals(new KernelShapConfig(null, null, "none", null),
        parse(MINIMAL + "method: {name: kernel_shap, adjustment: none}\n", Map.of()).method());
    assertEquals("Cannot run job: 'method.adjustment_trees' must be between 1 and 1000 (for no adjustment, set"
        + " 'method.adjustment: none'), got 0", failure(MINIMAL + "method: {name: kernel_shap, adjustment_trees: 0}\n"));
    assertEquals("Cannot run job: 'method.adjustment_trees' applies only with 'method.adjustment: trees', not with"
        + " 'cubic'", failure(MINIMAL + "method: {name: kernel_shap, adjustment: cubic, adjustment_trees: 50}\n"));
    assertEquals("Cannot run job: 'method.adjustment' must be one of cubic, trees, none, got 'quadratic'",
        failure(MINIMAL + "method: {name: kernel_shap, adjustment: quadratic}\n"));
    assertEquals("Cannot run job: 'method.target_error' must be a relative error between 0 and 1 (e.g. 0.02 for"
        + " 2%), got 1.5", failure(MINIMAL + "method: {name: kernel_shap, target_error: 1.5}\n"));
    assertEquals(new ExactShapleyConfig(20),
        parse(MINIMAL + "method: {name: exact_shapley, max_players: 20}\n", Map.of()).method());
    assertEquals(null, parse(MINIMAL, Map.of()).background(), "Integrated Gradients has no background");
  }

  @Test
  void methodKeysBelongToTheirMethod() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> parse(MINIMAL + "method: {name: kernel_shap, steps: 50}\n", Map.of()));
    assertEquals("Cannot read job file job.yaml: unknown key 'method.steps'; known keys here: adjustment,"
        + " adjustment_trees, budget, target_error", e.getMessage());
  }

  @Test
  void shapSettingsAreChecked() {
    String message = failure(MINIMAL + """
        method: {name: sampling_shapley, permutations: 3}
        background: {source: clusters, size: 0, k: 30, kmeans_rows: 29, input: {path: other.parquet}}
        """);
    for (String expected : List.of(
        "'method.permutations' must be an even number of at least 2 (each permutation is used with its reverse), got 3",
        "'background.source' is 'clusters'; expected one of dataset, kmeans, sample",
        "'background.size' must be at least 1, got 0",
        "'background.kmeans_rows' must be at least 'background.k' (30), got 29",
        "'background.input' is only used with 'background.source: dataset'")) {
      assertTrue(message.contains(expected), () -> "missing <" + expected + "> in:\n" + message);
    }
    assertEquals("Cannot run job: 'background' is only used by the SHAP methods; integrated_gradients uses "
        + "'method.baseline'", failure(MINIMAL + "background: {source: sample}\n"));
    assertEquals("Cannot run job: 'background.source: dataset' needs 'background.input' with exactly one of 'path' "
        + "or 'table'", failure(MINIMAL + "method: {name: kernel_shap}\nbackground: {source: dataset}\n"));
    assertEquals("Cannot run job: 'method.noise_std' must be a finite number of 0 or more, got -1.0",
        failure(MINIMAL + "method: {name: gradient_shap, noise_std: -1}\n"));
    assertEquals("Cannot run job: 'method.max_players' must be between 1 and 20 (2^20 - 2 coalitions per row),"
        + " got 21", failure(MINIMAL + "method: {name: exact_shapley, max_players: 21}\n"));
  }

  @Test
  void featureGroupsAreChecked() {
    String message = failure(MINIMAL.replace("{columns: [a, b]}",
        "{columns: [a, b, c], groups: {g: [a, z], h: [a, b], c: [b], e: []}}"));
    for (String expected : List.of(
        "'features.groups.g' names 'z', which is not a feature",
        "'features.groups' puts 'a' in more than one group",
        "'features.groups.c' has the name of a feature outside the group",
        "'features.groups.e' is empty")) {
      assertTrue(message.contains(expected), () -> "missing <" + expected + "> in:\n" + message);
    }
  }
}
