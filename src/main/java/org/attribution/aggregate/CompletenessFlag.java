package org.attribution.aggregate;

import java.util.Locale;
import org.attribution.config.GradientShapConfig;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.MethodConfig;

/**
 * Flags a target whose attributions fall short of adding up to {@code f(x) - reference}: the
 * relative completeness gap, mean |gap| over mean |f(x) - reference|, above {@link
 * #MAX_RELATIVE_GAP}. What the gap means, and so the advice, depends on the method. Methods whose
 * attributions are not meant to add up (saliency, input x gradient, SmoothGrad, occlusion, LIME:
 * see {@link MethodConfig#expectsCompleteness}) are never flagged: their gap is reported as a
 * description of the method, not as its error.
 */
public final class CompletenessFlag {

  /**
   * One percent: Integrated Gradients with its defaults stays orders of magnitude below on smooth
   * models, and a table whose attributions miss a hundredth of the output they explain should not
   * be read without a word of warning.
   */
  public static final double MAX_RELATIVE_GAP = 0.01;

  private CompletenessFlag() {}

  /** Mean |gap| over mean |f(x) - reference|; NaN when no row's output moved from its reference. */
  public static double relativeGap(double meanAbsGap, double meanAbsDelta) {
    return meanAbsDelta > 0 ? meanAbsGap / meanAbsDelta : Double.NaN;
  }

  /**
   * The warning for a target, or null when its relative gap is at most {@link #MAX_RELATIVE_GAP},
   * undefined, or not expected to be small for the method.
   *
   * @param method the method's id
   * @param meanAbsGap mean |completeness gap|
   * @param meanAbsDelta mean |f(x) - reference|
   */
  public static String warning(String method, double meanAbsGap, double meanAbsDelta) {
    double relative = relativeGap(meanAbsGap, meanAbsDelta);
    if (!(relative > MAX_RELATIVE_GAP) || !MethodConfig.expectsCompleteness(method)) {
      return null;
    }
    return String.format(Locale.ROOT, "relative completeness gap %.3g%% is above %.3g%%: %s", 100 * relative,
        100 * MAX_RELATIVE_GAP, advice(method));
  }

  private static String advice(String method) {
    return switch (method) {
      case IntegratedGradientsConfig.ID -> "raise method.steps; the gap is the quadrature error of the path integral,"
          + " which falls fast with method.rule gauss_legendre on smooth models but only as 1/steps on"
          + " piecewise-linear (ReLU) ones";
      case GradientShapConfig.ID -> "raise method.samples; Gradient SHAP adds up to f(x) - reference only in"
          + " expectation, and the gap is its sampling error";
      default -> "this method adds up exactly by construction, so the gap is rounding error, large only against"
          + " outputs that barely move from the base value";
    };
  }
}
