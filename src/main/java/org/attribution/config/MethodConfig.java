package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.Serializable;

/**
 * The attribution method and its settings; the job file's {@code method.name} picks the record,
 * so each method accepts exactly its own keys. An absent name means {@link Defaults#METHOD}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "name")
@JsonSubTypes({
  @JsonSubTypes.Type(value = IntegratedGradientsConfig.class, name = IntegratedGradientsConfig.ID),
  @JsonSubTypes.Type(value = KernelShapConfig.class, name = KernelShapConfig.ID),
  @JsonSubTypes.Type(value = GradientShapConfig.class, name = GradientShapConfig.ID),
  @JsonSubTypes.Type(value = SamplingShapleyConfig.class, name = SamplingShapleyConfig.ID),
  @JsonSubTypes.Type(value = ExactShapleyConfig.class, name = ExactShapleyConfig.ID),
  @JsonSubTypes.Type(value = SaliencyConfig.class, name = SaliencyConfig.ID),
  @JsonSubTypes.Type(value = InputXGradientConfig.class, name = InputXGradientConfig.ID),
  @JsonSubTypes.Type(value = SmoothGradConfig.class, name = SmoothGradConfig.ID),
  @JsonSubTypes.Type(value = OcclusionConfig.class, name = OcclusionConfig.ID),
  @JsonSubTypes.Type(value = LimeConfig.class, name = LimeConfig.ID),
  @JsonSubTypes.Type(value = PermutationImportanceConfig.class, name = PermutationImportanceConfig.ID),
  @JsonSubTypes.Type(value = GradCamConfig.class, name = GradCamConfig.ID)
})
public sealed interface MethodConfig extends Serializable
    permits IntegratedGradientsConfig, KernelShapConfig, GradientShapConfig, SamplingShapleyConfig,
        ExactShapleyConfig, SaliencyConfig, InputXGradientConfig, SmoothGradConfig, OcclusionConfig, LimeConfig,
        PermutationImportanceConfig, GradCamConfig {

  /** Ids of every method, as the job file names them. */
  java.util.List<String> IDS = java.util.List.of(IntegratedGradientsConfig.ID, KernelShapConfig.ID,
      GradientShapConfig.ID, SamplingShapleyConfig.ID, ExactShapleyConfig.ID, SaliencyConfig.ID,
      InputXGradientConfig.ID, SmoothGradConfig.ID, OcclusionConfig.ID, LimeConfig.ID,
      PermutationImportanceConfig.ID, GradCamConfig.ID);

  /**
   * The methods whose attributions add up to f(x) - reference by construction, so that a
   * completeness gap is their numerical error: Integrated Gradients and the SHAP family.
   */
  java.util.Set<String> COMPLETE = java.util.Set.of(IntegratedGradientsConfig.ID, KernelShapConfig.ID,
      GradientShapConfig.ID, SamplingShapleyConfig.ID, ExactShapleyConfig.ID);

  /**
   * Whether the method explains against a background distribution (the SHAP family, LIME, and
   * occlusion with {@code baseline: background}).
   */
  default boolean usesBackground() {
    return usesBackground(id());
  }

  /**
   * Whether the method with this id can explain against a background distribution (occlusion
   * does only with {@code baseline: background}, which {@link #usesBackground()} tells).
   */
  static boolean usesBackground(String id) {
    return !java.util.Set.of(IntegratedGradientsConfig.ID, SaliencyConfig.ID, InputXGradientConfig.ID,
        SmoothGradConfig.ID, PermutationImportanceConfig.ID, GradCamConfig.ID).contains(id);
  }

  /**
   * Whether the attributions of the method with this id add up to f(x) - reference by design, so
   * that a large completeness gap is a warning; other methods' gaps are reported, never flagged.
   */
  static boolean expectsCompleteness(String id) {
    return COMPLETE.contains(id);
  }

  /**
   * Whether the method measures the model over the whole dataset at once rather than explaining
   * each row: such a method runs as its own stage and needs labels, not a baseline or background.
   */
  default boolean global() {
    return false;
  }

  /** The method's stable id, as written in the job file and the output tables. */
  String id();
}
