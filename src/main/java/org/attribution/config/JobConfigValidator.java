package org.attribution.config;


import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.attribution.method.ExactShapley;
import org.attribution.method.IntegrationRule;
import org.attribution.method.PermutationMetric;
import org.attribution.model.DeviceChoice;
import org.attribution.model.OutputTransform;

/**
 * Checks a job configuration on its own, before any data or model is touched, and reports every
 * problem at once so a user fixes the file in one pass.
 */
public final class JobConfigValidator {

  static final Set<String> TARGET_MODES = Set.of("predicted", "class", "all");
  static final Set<String> BASELINES = Set.of("zeros", "mean", "vector");
  static final Set<String> BACKGROUND_SOURCES = Set.of("sample", "kmeans", "dataset");

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
    checkImageMethod(config, problems);
    checkBackground(config.method(), config.background(), problems);
    checkOutput(config.output(), problems);
    checkAudit(config, problems);
    checkLabels(config, problems);
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
    if (!(input.maxRejectShare() >= 0 && input.maxRejectShare() <= 1)) {
      problems.add("'input.max_reject_share' must be between 0 and 1, got " + input.maxRejectShare());
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
    checkUnique("features.columns", features.columns(), problems);
    if (features.patches() != null) {
      if (!hasVector) {
        problems.add("'features.patches' needs the image in 'features.vector_column'");
      }
      if (!features.groups().isEmpty()) {
        problems.add("'features.patches' and 'features.groups' both make players; give one of them");
      }
      List<Integer> size = features.patches().size();
      if (size.size() != 2 || size.stream().anyMatch(d -> d < 1)) {
        problems.add("'features.patches.size' is [height, width], each at least 1; got " + size);
      }
    }
    Set<String> columns = new HashSet<>(features.columns());
    for (String column : features.categorical()) {
      if (!columns.contains(column)) {
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
    checkGroups(features, problems);
  }

  private static void checkGroups(FeaturesConfig features, List<String> problems) {
    Set<String> known = new HashSet<>(features.columns());
    known.addAll(features.vectorNames());
    Set<String> grouped = new HashSet<>();
    features.groups().forEach((group, members) -> {
      if (members == null || members.isEmpty()) {
        problems.add("'features.groups." + group + "' is empty");
        return;
      }
      if (known.contains(group) && !members.contains(group)) {
        problems.add("'features.groups." + group + "' has the name of a feature outside the group");
      }
      checkUnique("features.groups." + group, members, problems);
      // Unnamed vector elements are only named once the vector's length is known.
      boolean namesKnown = features.vectorColumn() == null || !features.vectorNames().isEmpty();
      for (String member : new LinkedHashSet<>(members)) {
        if (namesKnown && !known.contains(member)) {
          problems.add("'features.groups." + group + "' names '" + member + "', which is not a feature");
        } else if (!grouped.add(member)) {
          problems.add("'features.groups' puts '" + member + "' in more than one group");
        }
      }
    });
  }

  /** One problem per value that {@code values} holds more than once, however often it repeats. */
  private static void checkUnique(String key, List<String> values, List<String> problems) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    values.forEach(value -> counts.merge(value, 1, Integer::sum));
    counts.forEach((value, count) -> {
      if (count > 1) {
        problems.add("'" + key + "' lists '" + value + "' " + (count == 2 ? "twice" : count + " times"));
      }
    });
  }

  private static void checkModel(ModelConfig model, List<String> problems) {
    if (model == null || model.path() == null || model.path().isBlank()) {
      problems.add("'model.path' is missing");
      return;
    }
    parse("model.output", () -> OutputTransform.fromId(model.output()), problems);
    if (model.inputShape() != null && (model.inputShape().isEmpty()
        || model.inputShape().stream().anyMatch(d -> d < 1))) {
      problems.add("'model.input_shape' must list one or more sizes of at least 1, got " + model.inputShape());
    }
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
      checkBaseline(ig, BASELINES, problems);
    } else if (method instanceof InputXGradientConfig inputXGradient) {
      checkBaseline(inputXGradient, BASELINES, problems);
    } else if (method instanceof OcclusionConfig occlusion) {
      Set<String> baselines = new HashSet<>(BASELINES);
      baselines.add(OcclusionConfig.BACKGROUND);
      checkBaseline(occlusion, baselines, problems);
    } else if (method instanceof SmoothGradConfig smooth) {
      checkSmoothGrad(smooth, problems);
    } else if (method instanceof LimeConfig lime) {
      if (lime.samples() < 2) {
        problems.add("'method.samples' must be at least 2 (the row itself and one perturbed copy), got "
            + lime.samples());
      }
      if (lime.kernelWidth() != null && !(lime.kernelWidth() > 0 && Double.isFinite(lime.kernelWidth()))) {
        problems.add("'method.kernel_width' must be a finite number above 0, got " + lime.kernelWidth());
      }
      if (!(lime.alpha() > 0 && Double.isFinite(lime.alpha()))) {
        problems.add("'method.alpha' must be a finite number above 0 (it keeps the ridge fit solvable when a"
            + " player is never switched off), got " + lime.alpha());
      }
    } else if (method instanceof KernelShapConfig kernel) {
      if (kernel.budget() != null && kernel.budget() < 2) {
        problems.add("'method.budget' must be at least 2 coalitions, got " + kernel.budget());
      }
      if (!KernelShapConfig.ADJUSTMENTS.contains(kernel.adjustment())) {
        problems.add("'method.adjustment' must be one of " + String.join(", ", KernelShapConfig.ADJUSTMENTS)
            + ", got '" + kernel.adjustment() + "'");
      } else if (!kernel.adjustment().equals("trees") && kernel.adjustmentTrees() != null) {
        problems.add("'method.adjustment_trees' applies only with 'method.adjustment: trees', not with '"
            + kernel.adjustment() + "'");
      } else if (kernel.adjustment().equals("trees")
          && (kernel.adjustmentTrees() < 1 || kernel.adjustmentTrees() > KernelShapConfig.MAX_ADJUSTMENT_TREES)) {
        problems.add("'method.adjustment_trees' must be between 1 and " + KernelShapConfig.MAX_ADJUSTMENT_TREES
            + " (for no adjustment, set 'method.adjustment: none'), got " + kernel.adjustmentTrees());
      }
    } else if (method instanceof GradientShapConfig gradient) {
      if (gradient.samples() < 1) {
        problems.add("'method.samples' must be at least 1, got " + gradient.samples());
      }
      if (!(gradient.noiseStd() >= 0) || gradient.noiseStd().isInfinite()) {
        problems.add("'method.noise_std' must be a finite number of 0 or more, got " + gradient.noiseStd());
      }
    } else if (method instanceof ExactShapleyConfig exact) {
      if (exact.maxPlayers() < 1 || exact.maxPlayers() > ExactShapley.MAX_PLAYERS) {
        problems.add("'method.max_players' must be between 1 and " + ExactShapley.MAX_PLAYERS
            + " (2^20 - 2 coalitions per row), got " + exact.maxPlayers());
      }
    } else if (method instanceof SamplingShapleyConfig sampling) {
      if (sampling.permutations() < 2 || sampling.permutations() % 2 != 0) {
        problems.add("'method.permutations' must be an even number of at least 2 (each permutation is used with"
            + " its reverse), got " + sampling.permutations());
      }
    }
    if (method instanceof SampledToTarget sampled && sampled.targetError() != null
        && !(sampled.targetError() > 0 && sampled.targetError() < 1)) {
      problems.add("'method.target_error' must be a relative error between 0 and 1 (e.g. 0.02 for 2%), got "
          + sampled.targetError());
    }
    if (method instanceof PermutationImportanceConfig permutation) {
      if (permutation.metric() == null) {
        problems.add("'method.metric' is missing; permutation_importance needs one of "
            + PermutationMetric.IDS);
      } else if (!PermutationMetric.IDS.contains(permutation.metric())) {
        problems.add("'method.metric' is '" + permutation.metric() + "'; expected one of "
            + PermutationMetric.IDS);
      }
      if (permutation.repeats() < 1) {
        problems.add("'method.repeats' must be at least 1, got " + permutation.repeats());
      }
    }
    // Exact Shapley's only limit, the number of players, is known once the features are encoded.
  }

  /** Grad-CAM's maps are images: the model must say its rows' {@code [channels, height, width]}. */
  private static void checkImageMethod(JobConfig config, List<String> problems) {
    List<Integer> shape = config.model() == null ? null : config.model().inputShape();
    if (config.method() instanceof GradCamConfig && (shape == null || shape.size() != 3)) {
      problems.add("'method.name: " + GradCamConfig.ID + "' needs image rows: 'model.input_shape: [channels, height,"
          + " width]'" + (shape == null ? "" : ", got " + shape));
    }
  }

  private static void checkBaseline(BaselineChoice choice, Set<String> baselines, List<String> problems) {
    if (!baselines.contains(choice.baseline())) {
      problems.add("'method.baseline' is '" + choice.baseline() + "'; expected one of " + sorted(baselines));
    } else if (choice.baseline().equals("vector") && choice.baselineValues().isEmpty()) {
      problems.add("'method.baseline: vector' needs 'method.baseline_values'");
    } else if (!choice.baseline().equals("vector") && !choice.baselineValues().isEmpty()) {
      problems.add("'method.baseline_values' is only used with 'method.baseline: vector'");
    }
  }

  /** SmoothGrad's own settings, then the wrapped method's, each key only where that method uses it. */
  private static void checkSmoothGrad(SmoothGradConfig smooth, List<String> problems) {
    if (smooth.samples() < 1) {
      problems.add("'method.samples' must be at least 1, got " + smooth.samples());
    }
    if (!(smooth.noiseStd() >= 0) || smooth.noiseStd().isInfinite()) {
      problems.add("'method.noise_std' must be a finite number of 0 or more (a fraction of each feature's standard"
          + " deviation), got " + smooth.noiseStd());
    }
    if (!SmoothGradConfig.AGGREGATES.contains(smooth.aggregate())) {
      problems.add("'method.aggregate' is '" + smooth.aggregate() + "'; expected one of "
          + String.join(", ", SmoothGradConfig.AGGREGATES));
    }
    String wraps = smooth.wraps();
    if (!SmoothGradConfig.WRAPPABLE.contains(wraps)) {
      problems.add("'method.wraps' is '" + wraps + "'; expected one of "
          + String.join(", ", SmoothGradConfig.WRAPPABLE));
      return;
    }
    if (smooth.absolute() != null && !wraps.equals(SaliencyConfig.ID)) {
      problems.add("'method.absolute' is only used with 'method.wraps: saliency'");
    }
    if (!wraps.equals(IntegratedGradientsConfig.ID)) {
      if (smooth.steps() != null) {
        problems.add("'method.steps' is only used with 'method.wraps: integrated_gradients'");
      }
      if (smooth.rule() != null) {
        problems.add("'method.rule' is only used with 'method.wraps: integrated_gradients'");
      }
    }
    if (wraps.equals(SaliencyConfig.ID) && (smooth.baseline() != null || !smooth.baselineValues().isEmpty())) {
      problems.add("'method.baseline' is only used with 'method.wraps: input_x_gradient' or 'integrated_gradients'");
    } else if (!wraps.equals(SaliencyConfig.ID)) {
      checkMethod(smooth.wrapped(), problems);
    }
  }

  private static void checkBackground(MethodConfig method, BackgroundConfig background, List<String> problems) {
    if (background == null) {
      return;
    }
    if (method instanceof OcclusionConfig occlusion && !occlusion.usesBackground()) {
      problems.add("'background' is only used by occlusion with 'method.baseline: background', not with '"
          + occlusion.baseline() + "'");
      return;
    }
    if (!method.usesBackground()) {
      boolean hasBaseline = method instanceof BaselineChoice choice && choice.baseline() != null;
      problems.add("'background' is only used by the SHAP methods" + (hasBaseline
          ? "; " + method.id() + " uses 'method.baseline'" : ", lime and occlusion; " + method.id() + " uses none"));
      return;
    }
    if (!BACKGROUND_SOURCES.contains(background.source())) {
      problems.add("'background.source' is '" + background.source() + "'; expected one of " + sorted(BACKGROUND_SOURCES));
    }
    if (background.size() < 1) {
      problems.add("'background.size' must be at least 1, got " + background.size());
    }
    if (background.k() < 1) {
      problems.add("'background.k' must be at least 1, got " + background.k());
    }
    if (background.kmeansRows() < Math.max(1, background.k())) {
      problems.add("'background.kmeans_rows' must be at least 'background.k' (" + background.k() + "), got "
          + background.kmeansRows());
    }
    if ("dataset".equals(background.source())) {
      InputConfig input = background.input();
      if (input == null || (isBlank(input.path()) == isBlank(input.table()))) {
        problems.add("'background.source: dataset' needs 'background.input' with exactly one of 'path' or 'table'");
      }
    } else if (background.input() != null) {
      problems.add("'background.input' is only used with 'background.source: dataset'");
    }
  }

  /** A global method measures the model against labels; no other method reads them. */
  private static void checkLabels(JobConfig config, List<String> problems) {
    boolean hasLabel = !isBlank(config.target().labelColumn());
    if (config.method().global()) {
      if (!hasLabel) {
        problems.add("'" + config.method().id() + "' needs 'target.label_column': the column of each row's true label");
      }
      if (!config.segmentBy().isEmpty()) {
        problems.add("'segment_by' is not supported by " + config.method().id()
            + ": it measures the model over the whole dataset");
      }
      if (config.output() != null && config.output().perRow()) {
        problems.add("'output.per_row' is not supported by " + config.method().id()
            + ": it has no per-row attributions");
      }
    } else if (hasLabel) {
      problems.add("'target.label_column' is only used by permutation_importance");
    }
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  private static void checkAudit(JobConfig config, List<String> problems) {
    if (new HashSet<>(config.segmentBy()).size() != config.segmentBy().size()) {
      problems.add("'segment_by' lists a column twice");
    }
    if (config.segmentMinRows() < 1) {
      problems.add("'segment_min_rows' must be at least 1, got " + config.segmentMinRows());
    }
    DriftConfig drift = config.drift();
    if (drift.topK() < 1) {
      problems.add("'drift.top_k' must be at least 1, got " + drift.topK());
    }
    if (drift.maxRankDisagreement() != null && !(drift.maxRankDisagreement() >= 0 && drift.maxRankDisagreement() <= 1)) {
      problems.add("'drift.max_rank_disagreement' must be between 0 and 1, got " + drift.maxRankDisagreement());
    }
    if (drift.maxSignificantChanges() != null && drift.maxSignificantChanges() < 0) {
      problems.add("'drift.max_significant_changes' must be 0 or more, got " + drift.maxSignificantChanges());
    }
    QualityConfig quality = config.quality();
    if (quality.rows() < 1) {
      problems.add("'quality.rows' must be at least 1, got " + quality.rows() + " (to measure nothing, set"
          + " quality.enabled: false)");
    }
    if (!(quality.maxShare() > 0 && quality.maxShare() <= 1)) {
      problems.add("'quality.max_share' must be above 0 and at most 1, got " + quality.maxShare());
    }
    if (quality.perturbations() < 1) {
      problems.add("'quality.perturbations' must be at least 1, got " + quality.perturbations());
    }
    if (!(quality.radius() >= 0) || quality.radius().isInfinite()) {
      problems.add("'quality.radius' must be a finite number, 0 or more, got " + quality.radius());
    }
    if (config.report().sampleRows() < 0) {
      problems.add("'report.sample_rows' must be 0 or more, got " + config.report().sampleRows());
    }
  }

  /** The output formats, as {@code output.format} names them. */
  private static final List<String> OUTPUT_FORMATS = List.of("parquet", "iceberg", "delta");
  /** Dotted parts; the last may be empty or a beginning, since the table's own name follows. */
  private static final java.util.regex.Pattern TABLE_PREFIX =
      java.util.regex.Pattern.compile("([A-Za-z_][A-Za-z0-9_]*\\.)*[A-Za-z0-9_]+|([A-Za-z_][A-Za-z0-9_]*\\.)+");

  private static void checkOutput(OutputConfig output, List<String> problems) {
    if (output == null || output.path() == null || output.path().isBlank()) {
      problems.add("'output.path' is missing");
    }
    if (output == null) {
      return;
    }
    if (!OUTPUT_FORMATS.contains(output.format())) {
      problems.add("'output.format' must be one of " + String.join(", ", OUTPUT_FORMATS) + ", got '" + output.format()
          + "'");
    } else if (output.tablePrefix() != null && output.format().equals("parquet")) {
      problems.add("'output.table_prefix' names catalog tables, which only output.format iceberg or delta writes;"
          + " the parquet format writes under output.path");
    }
    if (output.tablePrefix() != null && !TABLE_PREFIX.matcher(output.tablePrefix()).matches()) {
      problems.add("'output.table_prefix' must be a table name's beginning, parts of letters, digits and '_'"
          + " separated by '.' (e.g. audits.lending_club_, or glue.audits. for plain names), got '" + output.tablePrefix() + "'");
    }
  }

  private static void checkExecution(ExecutionConfig execution, List<String> problems) {
    if (execution.memoryBudgetMb() < 1) {
      problems.add("'execution.memory_budget_mb' must be at least 1, got " + execution.memoryBudgetMb());
    }
    if (execution.batchRows() != null && execution.batchRows() < 1) {
      problems.add("'execution.batch_rows' must be at least 1, got " + execution.batchRows());
    }
    if (execution.callRows() != null && execution.callRows() < 1) {
      problems.add("'execution.call_rows' must be at least 1, got " + execution.callRows());
    }
    if (execution.progressSeconds() < 0) {
      problems.add("'execution.progress_seconds' must be 0 or more, got " + execution.progressSeconds());
    }
    if (execution.threadsPerTask() != null && execution.threadsPerTask() < 1) {
      problems.add("'execution.threads_per_task' must be at least 1, got " + execution.threadsPerTask());
    }
    if (execution.maxEvaluations() < 1) {
      problems.add("'execution.max_evaluations' must be at least 1, got " + execution.maxEvaluations());
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
