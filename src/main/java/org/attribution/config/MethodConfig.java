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
  @JsonSubTypes.Type(value = PermutationImportanceConfig.class, name = PermutationImportanceConfig.ID)
})
public sealed interface MethodConfig extends Serializable
    permits IntegratedGradientsConfig, KernelShapConfig, GradientShapConfig, SamplingShapleyConfig,
        ExactShapleyConfig, PermutationImportanceConfig {

  /** Ids of every method, as the job file names them. */
  java.util.List<String> IDS = java.util.List.of(IntegratedGradientsConfig.ID, KernelShapConfig.ID,
      GradientShapConfig.ID, SamplingShapleyConfig.ID, ExactShapleyConfig.ID,
      PermutationImportanceConfig.ID);

  /** Whether the method explains against a background distribution (the SHAP family). */
  default boolean usesBackground() {
    return usesBackground(id());
  }

  /** Whether the method with this id explains against a background distribution. */
  static boolean usesBackground(String id) {
    return !IntegratedGradientsConfig.ID.equals(id) && !PermutationImportanceConfig.ID.equals(id);
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
