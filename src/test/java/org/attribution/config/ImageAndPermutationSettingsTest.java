package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job file's messages for permutation importance, image shapes and patches. */
class ImageAndPermutationSettingsTest {

  static String failure(String yaml) {
    return assertThrows(InvalidJobException.class,
        () -> JobConfigValidator.validate(JobConfigLoader.parse(yaml, "job.yaml", Map.of()))).getMessage();
  }

  static String job(String features, String model, String rest) {
    return """
        input: {path: digits.json}
        features: %s
        model: %s
        output: {path: out}
        %s
        """.formatted(features, model, rest);
  }

  @Test
  void readsTheSettings() {
    JobConfig config = JobConfigValidator.validate(JobConfigLoader.parse(job(
        "{vector_column: pixels, patches: {size: [2, 2]}}", "{path: m.pt, input_shape: [1, 8, 8]}",
        "target: {label_column: label}\nmethod: {name: permutation_importance, metric: roc_auc}"), "job.yaml", Map.of()));
    assertEquals(List.of(1, 8, 8), config.model().inputShape());
    assertEquals(List.of(2, 2), config.features().patches().size());
    assertEquals("label", config.target().labelColumn());
    PermutationImportanceConfig method = (PermutationImportanceConfig) config.method();
    assertEquals("roc_auc", method.metric());
    assertEquals(Defaults.PERMUTATION_REPEATS, method.repeats());
    assertEquals(null, config.background(), "no background for a global method");
  }

  @Test
  void anUnknownMetricAndTooFewRepeats() {
    assertEquals("Cannot run job: 2 problems in the job file:\n"
            + "  - 'method.metric' is 'f1'; expected one of [log_loss, accuracy, roc_auc, mse]\n"
            + "  - 'method.repeats' must be at least 1, got 0",
        failure(job("{columns: [a]}", "{path: m.pt}",
            "target: {label_column: y}\nmethod: {name: permutation_importance, metric: f1, repeats: 0}")));
  }

  @Test
  void aLabelColumnWithAnotherMethod() {
    assertEquals("Cannot run job: 'target.label_column' is only used by permutation_importance",
        failure(job("{columns: [a]}", "{path: m.pt}", "target: {label_column: y}")));
  }

  @Test
  void permutationImportanceHasNoSegmentsOrPerRowTable() {
    assertEquals("Cannot run job: 2 problems in the job file:\n"
            + "  - 'segment_by' is not supported by permutation_importance: it measures the model over the whole dataset\n"
            + "  - 'output.per_row' is not supported by permutation_importance: it has no per-row attributions",
        failure("""
            input: {path: d.parquet}
            features: {columns: [a, b]}
            model: {path: m.pt}
            target: {label_column: y}
            method: {name: permutation_importance, metric: mse}
            segment_by: [b]
            output: {path: out, per_row: true}
            """));
  }

  @Test
  void patchesNeedAVectorColumnAndTwoSizes() {
    assertEquals("Cannot run job: 3 problems in the job file:\n"
            + "  - 'features.patches' needs the image in 'features.vector_column'\n"
            + "  - 'features.patches.size' is [height, width], each at least 1; got [2]\n"
            + "  - 'model.input_shape' must list one or more sizes of at least 1, got [1, 0, 8]",
        failure(job("{columns: [a], patches: {size: [2]}}", "{path: m.pt, input_shape: [1, 0, 8]}", "")));
  }
}
