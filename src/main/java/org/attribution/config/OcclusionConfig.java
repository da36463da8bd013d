package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * Occlusion settings.
 *
 * @param baseline what an occluded player takes: {@code background} (the mean of the model over
 *     the background rows, configured in the job file's {@code background} section), or one vector
 *     as for Integrated Gradients: {@code zeros}, {@code mean} or {@code vector}
 * @param baselineValues the baseline for {@code vector}, one value per encoded input column
 */
public record OcclusionConfig(String baseline, List<Double> baselineValues) implements MethodConfig, BaselineChoice {

  public static final String ID = "occlusion";
  /** The baseline setting that occludes with the background instead of one vector. */
  public static final String BACKGROUND = "background";

  public OcclusionConfig {
    baseline = baseline == null ? Defaults.OCCLUSION_BASELINE : baseline;
    baselineValues = baselineValues == null ? List.of() : List.copyOf(baselineValues);
  }

  @Override
  public boolean usesBackground() {
    return BACKGROUND.equals(baseline);
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
