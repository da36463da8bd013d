package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The job file settings of saliency, input x gradient, SmoothGrad, occlusion and LIME: their
 * defaults, and the exact messages for settings that are wrong or belong to another method.
 */
class NewMethodSettingsTest {

  private static JobConfig load(String method, String extra) {
    String yaml = """
        input: {path: cars.parquet}
        features: {columns: [make, price]}
        model: {path: m.pt}
        output: {path: out}
        method: %s
        """.formatted(method) + extra;
    return JobConfigLoader.parse(yaml, "job.yaml", Map.of());
  }

  private static String failure(String method) {
    return failure(method, "");
  }

  private static String failure(String method, String extra) {
    return assertThrows(InvalidJobException.class, () -> JobConfigValidator.validate(load(method, extra))).getMessage();
  }

  private static MethodConfig valid(String method) {
    return JobConfigValidator.validate(load(method, "")).method();
  }

  @Test
  void defaultsAreFilledInAndOnlyForTheWrappedMethodsOwnSettings() {
    assertEquals(new SaliencyConfig(true), valid("{name: saliency}"));
    assertEquals(new InputXGradientConfig("zeros", List.of()), valid("{name: input_x_gradient}"));
    assertEquals(new LimeConfig(1000, null, 1.0), valid("{name: lime}"));
    assertEquals(new OcclusionConfig("background", List.of()), valid("{name: occlusion}"));
    SmoothGradConfig smooth = (SmoothGradConfig) valid("{name: smoothgrad}");
    assertEquals(new SmoothGradConfig(50, 0.15, "mean", "saliency", true, null, null, null, List.of()), smooth);
    assertEquals(new SaliencyConfig(true), smooth.wrapped());
    SmoothGradConfig overIg = (SmoothGradConfig) valid("{name: smoothgrad, wraps: integrated_gradients}");
    assertEquals(new IntegratedGradientsConfig(50, "gauss_legendre", "zeros", List.of()), overIg.wrapped());
    assertNull(overIg.absolute());
  }

  @Test
  void whichMethodsUseABackgroundAndWhichExpectCompleteness() {
    JobConfig occlusion = JobConfigValidator.validate(load("{name: occlusion}", ""));
    assertTrue(occlusion.method().usesBackground());
    assertEquals("sample", occlusion.background().source(), "occlusion's default background");
    JobConfig occlusionZeros = JobConfigValidator.validate(load("{name: occlusion, baseline: zeros}", ""));
    assertFalse(occlusionZeros.method().usesBackground());
    assertNull(occlusionZeros.background());
    assertTrue(valid("{name: lime}").usesBackground());
    for (String id : List.of("saliency", "input_x_gradient", "smoothgrad")) {
      assertFalse(MethodConfig.usesBackground(id), id);
    }
    for (String id : List.of("saliency", "input_x_gradient", "smoothgrad", "occlusion", "lime")) {
      assertFalse(MethodConfig.expectsCompleteness(id), id);
      assertTrue(MethodConfig.IDS.contains(id), id);
    }
    for (String id : List.of("integrated_gradients", "kernel_shap", "gradient_shap", "sampling_shapley",
        "exact_shapley")) {
      assertTrue(MethodConfig.expectsCompleteness(id), id);
    }
  }

  /** Grad-CAM with the model's input shape given as {@code shape} (YAML), or none when null. */
  private static JobConfig gradCam(String method, String shape) {
    String yaml = """
        input: {path: digits.json, format: json}
        features: {vector_column: pixels}
        model: {path: m.pt%s}
        output: {path: out}
        method: %s
        """.formatted(shape == null ? "" : ", input_shape: " + shape, method);
    return JobConfigValidator.validate(JobConfigLoader.parse(yaml, "job.yaml", Map.of()));
  }

  @Test
  void gradCamTakesNoSettingsNeedsAnImageShapeAndIsNotComplete() {
    assertEquals(new GradCamConfig(), gradCam("{name: grad_cam}", "[1, 8, 8]").method());
    assertFalse(MethodConfig.usesBackground(GradCamConfig.ID));
    assertFalse(MethodConfig.expectsCompleteness(GradCamConfig.ID));
    assertEquals("Cannot run job: 'method.name: grad_cam' needs image rows: 'model.input_shape: [channels, height,"
        + " width]'", assertThrows(InvalidJobException.class, () -> gradCam("{name: grad_cam}", null)).getMessage());
    assertEquals("Cannot run job: 'method.name: grad_cam' needs image rows: 'model.input_shape: [channels, height,"
        + " width]', got [8, 8]",
        assertThrows(InvalidJobException.class, () -> gradCam("{name: grad_cam}", "[8, 8]")).getMessage());
    assertTrue(assertThrows(InvalidJobException.class, () -> gradCam("{name: grad_cam, samples: 4}", "[1, 8, 8]"))
        .getMessage().contains("samples"), "grad_cam has no settings");
  }

  @Test
  void smoothGradSettingsOutOfRange() {
    assertEquals("Cannot run job: 3 problems in the job file:\n"
        + "  - 'method.samples' must be at least 1, got 0\n"
        + "  - 'method.noise_std' must be a finite number of 0 or more (a fraction of each feature's standard"
        + " deviation), got -0.1\n"
        + "  - 'method.aggregate' is 'median'; expected one of mean, mean_square, variance",
        failure("{name: smoothgrad, samples: 0, noise_std: -0.1, aggregate: median}"));
    assertEquals("Cannot run job: 'method.wraps' is 'kernel_shap'; expected one of saliency, input_x_gradient,"
        + " integrated_gradients", failure("{name: smoothgrad, wraps: kernel_shap}"));
  }

  @Test
  void smoothGradRefusesSettingsTheWrappedMethodDoesNotUse() {
    assertEquals("Cannot run job: 3 problems in the job file:\n"
        + "  - 'method.steps' is only used with 'method.wraps: integrated_gradients'\n"
        + "  - 'method.rule' is only used with 'method.wraps: integrated_gradients'\n"
        + "  - 'method.baseline' is only used with 'method.wraps: input_x_gradient' or 'integrated_gradients'",
        failure("{name: smoothgrad, steps: 10, rule: trapezoid, baseline: mean}"));
    assertEquals("Cannot run job: 'method.absolute' is only used with 'method.wraps: saliency'",
        failure("{name: smoothgrad, wraps: input_x_gradient, absolute: false}"));
  }

  @Test
  void smoothGradChecksTheWrappedMethodsSettingsAsThatMethodWould() {
    assertEquals("Cannot run job: 'method.baseline: vector' needs 'method.baseline_values'",
        failure("{name: smoothgrad, wraps: integrated_gradients, baseline: vector}"));
    assertEquals("Cannot run job: 'method.rule': Cannot parse integration rule 'simpson': expected one of riemann_left,"
        + " riemann_right, riemann_middle, trapezoid, gauss_legendre",
        failure("{name: smoothgrad, wraps: integrated_gradients, rule: simpson}"));
  }

  @Test
  void baselinesAreCheckedAsIntegratedGradientsChecksThem() {
    assertEquals("Cannot run job: 'method.baseline' is 'median'; expected one of mean, vector, zeros",
        failure("{name: input_x_gradient, baseline: median}"));
    assertEquals("Cannot run job: 'method.baseline_values' is only used with 'method.baseline: vector'",
        failure("{name: input_x_gradient, baseline_values: [1, 2]}"));
    assertEquals("Cannot run job: 'method.baseline' is 'median'; expected one of background, mean, vector, zeros",
        failure("{name: occlusion, baseline: median}"));
  }

  @Test
  void aBackgroundSectionForAMethodThatDoesNotUseOneIsNamed() {
    assertEquals("Cannot run job: 'background' is only used by the SHAP methods, lime and occlusion; saliency uses"
        + " none", failure("{name: saliency}", "background: {source: sample}\n"));
    assertEquals("Cannot run job: 'background' is only used by the SHAP methods; input_x_gradient uses"
        + " 'method.baseline'", failure("{name: input_x_gradient}", "background: {source: sample}\n"));
    assertEquals("Cannot run job: 'background' is only used by occlusion with 'method.baseline: background', not"
        + " with 'zeros'", failure("{name: occlusion, baseline: zeros}", "background: {source: sample}\n"));
  }

  @Test
  void limeSettingsOutOfRange() {
    assertEquals("Cannot run job: 3 problems in the job file:\n"
        + "  - 'method.samples' must be at least 2 (the row itself and one perturbed copy), got 1\n"
        + "  - 'method.kernel_width' must be a finite number above 0, got 0.0\n"
        + "  - 'method.alpha' must be a finite number above 0 (it keeps the ridge fit solvable when a player is"
        + " never switched off), got -1.0",
        failure("{name: lime, samples: 1, kernel_width: 0, alpha: -1}"));
  }

  @Test
  void aKeyOfAnotherMethodIsRefusedByTheLoader() {
    String message = assertThrows(InvalidJobException.class, () -> load("{name: saliency, steps: 5}", ""))
        .getMessage();
    assertTrue(message.contains("steps"), message);
  }
}
