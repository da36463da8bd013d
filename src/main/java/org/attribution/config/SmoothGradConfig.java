package org.attribution.config;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * SmoothGrad settings: a gradient method averaged over noisy copies of each row. Settings of the
 * wrapped method sit beside SmoothGrad's own and take their defaults only when that method uses
 * them, so a key another wrapped method would use stays null and is reported if given.
 *
 * @param samples noisy copies per row
 * @param noiseStd the noise's standard deviation, as a fraction of each encoded column's standard
 *     deviation over the explained rows
 * @param aggregate {@code mean} (SmoothGrad), {@code mean_square} (SmoothGrad squared) or
 *     {@code variance} (VarGrad)
 * @param wraps the method applied to each copy: {@code saliency}, {@code input_x_gradient} or
 *     {@code integrated_gradients}
 * @param absolute for {@code wraps: saliency}, as {@link SaliencyConfig#absolute}
 * @param steps for {@code wraps: integrated_gradients}, as {@link IntegratedGradientsConfig#steps}
 * @param rule for {@code wraps: integrated_gradients}, as {@link IntegratedGradientsConfig#rule}
 * @param baseline for {@code input_x_gradient} and {@code integrated_gradients}, as theirs
 * @param baselineValues the baseline for {@code baseline: vector}
 */
public record SmoothGradConfig(
    Integer samples,
    Double noiseStd,
    String aggregate,
    String wraps,
    Boolean absolute,
    Integer steps,
    String rule,
    String baseline,
    List<Double> baselineValues)
    implements MethodConfig, BaselineChoice {

  public static final String ID = "smoothgrad";
  /** The aggregates, as the job file names them. */
  public static final List<String> AGGREGATES = List.of("mean", "mean_square", "variance");
  /** The methods SmoothGrad can wrap. */
  public static final List<String> WRAPPABLE =
      List.of(SaliencyConfig.ID, InputXGradientConfig.ID, IntegratedGradientsConfig.ID);

  public SmoothGradConfig {
    samples = samples == null ? Defaults.SMOOTHGRAD_SAMPLES : samples;
    noiseStd = noiseStd == null ? Defaults.SMOOTHGRAD_NOISE_STD : noiseStd;
    aggregate = aggregate == null ? Defaults.SMOOTHGRAD_AGGREGATE : aggregate;
    wraps = wraps == null ? Defaults.SMOOTHGRAD_WRAPS : wraps;
    if (wraps.equals(SaliencyConfig.ID)) {
      absolute = absolute == null ? Defaults.SALIENCY_ABSOLUTE : absolute;
    }
    if (wraps.equals(IntegratedGradientsConfig.ID)) {
      steps = steps == null ? Defaults.IG_STEPS : steps;
      rule = rule == null ? Defaults.IG_RULE : rule;
    }
    if (wraps.equals(InputXGradientConfig.ID) || wraps.equals(IntegratedGradientsConfig.ID)) {
      baseline = baseline == null ? Defaults.IG_BASELINE : baseline;
    }
    baselineValues = baselineValues == null ? List.of() : List.copyOf(baselineValues);
  }

  /** The wrapped method's own settings. */
  @JsonIgnore
  public MethodConfig wrapped() {
    return switch (wraps) {
      case SaliencyConfig.ID -> new SaliencyConfig(absolute);
      case InputXGradientConfig.ID -> new InputXGradientConfig(baseline, baselineValues);
      case IntegratedGradientsConfig.ID -> new IntegratedGradientsConfig(steps, rule, baseline, baselineValues);
      default -> throw new IllegalStateException("validated method.wraps " + wraps);
    };
  }

  @JsonIgnore
  @Override
  public String id() {
    return ID;
  }
}
