package org.attribution.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.attribution.method.IntegrationRule;
import org.attribution.model.DeviceChoice;
import org.attribution.model.OutputTransform;

/**
 * Checks a job configuration on its own, before any data or model is touched, and reports every
 * problem at once so a user fixes the file in one pass.
 */
public final class JobConfigValidator {

  static final Set<String> TARGET_MODES = Set.of("predicted", "class", "all");
  static final Set<String> BASELINES = Set.of("zeros", "mean", "vector");

  private JobConfigValidator() {}

  /**
   * Returns {@code config} unchanged when it is valid.
   *
   * @throws InvalidJobException listing every problem found
   */
  public static JobConfig validate(JobConfig config) {
    List<String> problems = new ArrayList<>();
    checkInput(config.input(), problems);
    checkFeatures(config.features(), problems);
    checkModel(config.model(), problems);
    checkTarget(config.target(), problems);
    checkMethod(config.method(), problems);
    checkOutput(config.output(), problems);
    checkExecution(config.execution(), problems);
    if (problems.size() == 1) {
      throw new InvalidJobException("Cannot run job: " + problems.get(0));
    }
    if (!problems.isEmpty()) {
      throw new InvalidJobException(
          "Cannot run job: " + problems.size() + " problems in the job file:\n  - " + String.join("\n  - ", problems));
    }
    return config;
  }

  private static void checkInput(InputConfig input, List<String> problems) {
    if (input == null) {
      problems.add("'input' is missing");
      return;
    }
    boolean hasPath = input.path() != null && !input.path().isBlank();
    boolean hasTable = input.table() != null && !input.table().isBlank();
    if (hasPath == hasTable) {
      problems.add("'input' needs exactly one of 'path' or 'table'");
    }
    if (hasPath && !InputConfig.FORMATS.contains(input.format())) {
      problems.add("'input.format' is '" + input.format() + "'; expected one of " + sorted(InputConfig.FORMATS));
    }
    if (input.partitions() != null && input.partitions() < 1) {
      problems.add("'input.partitions' must be at least 1, got " + input.partitions());
    }
  }

  private static void checkFeatures(FeaturesConfig features, List<String> problems) {
    if (features == null) {
      problems.add("'features' is missing");
      return;
    }
    boolean hasColumns = !features.columns().isEmpty();
    boolean hasVector = features.vectorColumn() != null && !features.vectorColumn().isBlank();
    if (hasColumns == hasVector) {
      problems.add("'features' needs exactly one of 'columns' or 'vector_column'");
    }
    Set<String> seen = new HashSet<>();
    for (String column : features.columns()) {
      if (!seen.add(column)) {
        problems.add("'features.columns' lists '" + column + "' twice");
      }
    }
    for (String column : features.categorical()) {
      if (!seen.contains(column)) {
        problems.add("'features.categorical' names '" + column + "', which is not in 'features.columns'");
      }
    }
    features.vocabulary().forEach((column, categories) -> {
      if (!features.categorical().contains(column)) {
        problems.add("'features.vocabulary' has '" + column + "', which is not in 'features.categorical'");
      }
      if (categories == null || categories.isEmpty()) {
        problems.add("'features.vocabulary." + column + "' is empty");
      } else if (new HashSet<>(categories).size() != categories.size()) {
        problems.add("'features.vocabulary." + column + "' lists a category twice");
      }
    });
    if (!hasVector && !features.vectorNames().isEmpty()) {
      problems.add("'features.vector_names' needs 'features.vector_column'");
    }
  }

  private static void checkModel(ModelConfig model, List<String> problems) {
    if (model == null || model.path() == null || model.path().isBlank()) {
      problems.add("'model.path' is missing");
      return;
    }
    parse("model.output", () -> OutputTransform.fromId(model.output()), problems);
    parse("model.device", () -> DeviceChoice.fromId(model.device()), problems);
  }

  private static void checkTarget(TargetConfig target, List<String> problems) {
    if (!TARGET_MODES.contains(target.mode())) {
      problems.add("'target.mode' is '" + target.mode() + "'; expected one of " + sorted(TARGET_MODES));
      return;
    }
    if (target.mode().equals("class") && (target.classIndex() == null || target.classIndex() < 0)) {
      problems.add("'target.mode: class' needs 'target.class_index' of 0 or more");
    }
    if (!target.mode().equals("class") && target.classIndex() != null) {
      problems.add("'target.class_index' is only used with 'target.mode: class'");
    }
  }

  private static void checkMethod(MethodConfig method, List<String> problems) {
    if (method instanceof IntegratedGradientsConfig ig) {
      parse("method.rule", () -> IntegrationRule.fromId(ig.rule()).quadrature(ig.steps()), problems);
      if (!BASELINES.contains(ig.baseline())) {
        problems.add("'method.baseline' is '" + ig.baseline() + "'; expected one of " + sorted(BASELINES));
      } else if (ig.baseline().equals("vector") && ig.baselineValues().isEmpty()) {
        problems.add("'method.baseline: vector' needs 'method.baseline_values'");
      } else if (!ig.baseline().equals("vector") && !ig.baselineValues().isEmpty()) {
        problems.add("'method.baseline_values' is only used with 'method.baseline: vector'");
      }
    }
  }

  private static void checkOutput(OutputConfig output, List<String> problems) {
    if (output == null || output.path() == null || output.path().isBlank()) {
      problems.add("'output.path' is missing");
    }
  }

  private static void checkExecution(ExecutionConfig execution, List<String> problems) {
    if (execution.memoryBudgetMb() < 1) {
      problems.add("'execution.memory_budget_mb' must be at least 1, got " + execution.memoryBudgetMb());
    }
    if (execution.batchRows() != null && execution.batchRows() < 1) {
      problems.add("'execution.batch_rows' must be at least 1, got " + execution.batchRows());
    }
    if (execution.threadsPerTask() != null && execution.threadsPerTask() < 1) {
      problems.add("'execution.threads_per_task' must be at least 1, got " + execution.threadsPerTask());
    }
  }

  /** Runs a parser for its exception only: the enums own their ids and their messages. */
  private static void parse(String key, Runnable parser, List<String> problems) {
    try {
      parser.run();
    } catch (IllegalArgumentException e) {
      problems.add("'" + key + "': " + e.getMessage());
    }
  }

  private static String sorted(Set<String> values) {
    return String.join(", ", new java.util.TreeSet<>(values));
  }
}
