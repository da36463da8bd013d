package org.attribution.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The relative completeness gap's flag, its threshold and each method's advice. */
class CompletenessFlagTest {

  @Test
  void integratedGradientsIsToldToRaiseItsSteps() {
    // 0.0062 / 0.2 = 3.1%, the ReLU model's gap with 50 steps.
    assertEquals("relative completeness gap 3.10% is above 1.00%: raise method.steps; the gap is the quadrature"
        + " error of the path integral, which falls fast with method.rule gauss_legendre on smooth models but only"
        + " as 1/steps on piecewise-linear (ReLU) ones", CompletenessFlag.warning("integrated_gradients", 0.0062, 0.2));
  }

  @Test
  void gradientShapIsToldToRaiseItsSamples() {
    assertEquals("relative completeness gap 2.50% is above 1.00%: raise method.samples; Gradient SHAP adds up to"
        + " f(x) - reference only in expectation, and the gap is its sampling error",
        CompletenessFlag.warning("gradient_shap", 0.025, 1));
  }

  @Test
  void exactByConstructionMethodsCanOnlyBeOffByRounding() {
    String rounding = "relative completeness gap 50.0% is above 1.00%: this method adds up exactly by construction,"
        + " so the gap is rounding error, large only against outputs that barely move from the base value";
    for (String method : new String[] {"kernel_shap", "sampling_shapley", "exact_shapley"}) {
      assertEquals(rounding, CompletenessFlag.warning(method, 1e-7, 2e-7), method);
    }
  }

  @Test
  void methodsThatDoNotAddUpByDesignAreNeverFlagged() {
    for (String method : new String[] {"saliency", "input_x_gradient", "smoothgrad", "occlusion", "lime"}) {
      assertNull(CompletenessFlag.warning(method, 0.5, 1), method);
    }
    assertNotNull(CompletenessFlag.warning("integrated_gradients", 0.5, 1), "the same gap flags IG");
  }

  @Test
  void atOrBelowTheThresholdOrUndefinedIsNotFlagged() {
    assertNull(CompletenessFlag.warning("integrated_gradients", 0.01, 1), "exactly 1% is not above it");
    assertNull(CompletenessFlag.warning("integrated_gradients", 9.39e-7, 0.191));
    assertNull(CompletenessFlag.warning("integrated_gradients", 0.5, 0), "no output moved: no relative gap");
    assertEquals(Double.NaN, CompletenessFlag.relativeGap(0, 0));
  }
}
