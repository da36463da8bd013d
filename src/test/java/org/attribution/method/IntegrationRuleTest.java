package org.attribution.method;

import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Quadrature rules checked against exact integrals, never against their own output. */
class IntegrationRuleTest {

  /**
   * Sums of at most a few hundred double products of values in [0, 1] round at about 1e-16 per
   * term; exact integrals are reproduced far inside this.
   */

  static Stream<Arguments> rulesAndSteps() {
    return Arrays.stream(IntegrationRule.values())
        .flatMap(
            rule ->
                IntStream.of(1, 2, 3, 7, 50, 256)
                    .filter(steps -> rule != IntegrationRule.TRAPEZOID || steps >= 2)
                    .mapToObj(steps -> Arguments.of(rule, steps)));
  }

  /** The rules whose points are symmetric about 1/2, which makes them exact on linear functions. */
  static Stream<Arguments> symmetricRulesAndSteps() {
    return rulesAndSteps()
        .filter(
            arguments ->
                arguments.get()[0] != IntegrationRule.RIEMANN_LEFT
                    && arguments.get()[0] != IntegrationRule.RIEMANN_RIGHT);
  }

  private static double integrate(Quadrature quadrature, DoubleUnaryOperator g) {
    double[] alphas = quadrature.alphas();
    double[] weights = quadrature.weights();
    double sum = 0;
    for (int k = 0; k < alphas.length; k++) {
      sum += weights[k] * g.applyAsDouble(alphas[k]);
    }
    return sum;
  }

  @Test
  void idsAreStableAndParseBack() {
    assertEquals(
        List.of("riemann_left", "riemann_right", "riemann_middle", "trapezoid", "gauss_legendre"),
        Arrays.stream(IntegrationRule.values()).map(IntegrationRule::id).toList());
    for (IntegrationRule rule : IntegrationRule.values()) {
      assertSame(rule, IntegrationRule.fromId(rule.id()));
    }
  }

  @Test
  void unknownIdIsRejectedWithTheValidOnes() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> IntegrationRule.fromId("GAUSS_LEGENDRE"));
    assertEquals(
        "Cannot parse integration rule 'GAUSS_LEGENDRE': expected one of riemann_left,"
            + " riemann_right, riemann_middle, trapezoid, gauss_legendre",
        e.getMessage());
  }

  @ParameterizedTest
  @MethodSource("rulesAndSteps")
  void weightsSumToOneAndPointsAscendInsideTheUnitInterval(IntegrationRule rule, int steps) {
    Quadrature quadrature = rule.quadrature(steps);
    double[] alphas = quadrature.alphas();
    assertEquals(steps, quadrature.points());
    assertEquals(1.0, Arrays.stream(quadrature.weights()).sum(), DOUBLE_SUM_ATOL);
    for (int k = 0; k < steps; k++) {
      assertTrue(alphas[k] >= 0 && alphas[k] <= 1, rule + " point " + k + " = " + alphas[k]);
      assertTrue(k == 0 || alphas[k] > alphas[k - 1], rule + " points ascend at " + k);
    }
  }

  @ParameterizedTest
  @MethodSource("rulesAndSteps")
  void everyRuleIntegratesAConstantExactly(IntegrationRule rule, int steps) {
    assertEquals(-3.25, integrate(rule.quadrature(steps), a -> -3.25), DOUBLE_SUM_ATOL);
  }

  @ParameterizedTest
  @MethodSource("symmetricRulesAndSteps")
  void symmetricRulesIntegrateALinearFunctionExactly(IntegrationRule rule, int steps) {
    // Integral over [0, 1] of 3a - 0.5 is 1.
    assertEquals(1.0, integrate(rule.quadrature(steps), a -> 3 * a - 0.5), DOUBLE_SUM_ATOL);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 10, 100, 1000})
  void leftAndRightSumsMissTheIdentityByOneOverTwoN(int n) {
    // sum_{k<n} k/n^2 = (n-1)/(2n) and sum_{k<n} (k+1)/n^2 = (n+1)/(2n), against an exact 1/2.
    double left = integrate(IntegrationRule.RIEMANN_LEFT.quadrature(n), a -> a);
    double right = integrate(IntegrationRule.RIEMANN_RIGHT.quadrature(n), a -> a);
    assertEquals(1.0 / (2 * n), 0.5 - left, DOUBLE_SUM_ATOL);
    assertEquals(-1.0 / (2 * n), 0.5 - right, DOUBLE_SUM_ATOL);
  }

  @Test
  void trapezoidWithTwoStepsIsTheClassicRule() {
    assertEquals(
        new Quadrature(new double[] {0, 1}, new double[] {0.5, 0.5}),
        IntegrationRule.TRAPEZOID.quadrature(2));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 8, 13, 20, 64, 128, 256})
  void gaussLegendreIntegratesEveryPolynomialOfDegreeBelowTwoNExactly(int n) {
    Quadrature quadrature = IntegrationRule.GAUSS_LEGENDRE.quadrature(n);
    for (int degree = 0; degree <= 2 * n - 1; degree++) {
      int m = degree;
      assertEquals(
          1.0 / (m + 1),
          integrate(quadrature, a -> Math.pow(a, m)),
          DOUBLE_SUM_ATOL,
          n + " points, degree " + m);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
  void gaussLegendreMissesDegreeTwoNByItsErrorTerm(int n) {
    // The n-point error on [0, 1] is (n!)^4 / ((2n+1) ((2n)!)^3) g^(2n)(xi); for g = a^(2n) the
    // derivative is the constant (2n)!, so the error is exactly (n!)^4 / ((2n+1) ((2n)!)^2).
    double nFactorial = factorial(n);
    double expectedError = Math.pow(nFactorial, 4) / ((2 * n + 1) * Math.pow(factorial(2 * n), 2));
    double q = integrate(IntegrationRule.GAUSS_LEGENDRE.quadrature(n), a -> Math.pow(a, 2 * n));
    double error = 1.0 / (2 * n + 1) - q;
    assertTrue(expectedError > 1e-11, "the error term is measurable at " + n + " points");
    assertEquals(expectedError, error, 1e-6 * expectedError, n + " points");
  }

  private static double factorial(int n) {
    double f = 1;
    for (int i = 2; i <= n; i++) {
      f *= i;
    }
    return f;
  }

  @ParameterizedTest
  @EnumSource(IntegrationRule.class)
  void rejectsZeroSteps(IntegrationRule rule) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> rule.quadrature(0));
    String minimum = rule == IntegrationRule.TRAPEZOID ? "2, one at each end of the path" : "1";
    assertEquals(
        "Cannot use " + rule.id() + " with 0 steps: needs at least " + minimum, e.getMessage());
  }

  @Test
  void trapezoidNeedsBothEnds() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> IntegrationRule.TRAPEZOID.quadrature(1));
    assertEquals(
        "Cannot use trapezoid with 1 steps: needs at least 2, one at each end of the path",
        e.getMessage());
  }

  @Test
  void gaussLegendreIsBounded() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                IntegrationRule.GAUSS_LEGENDRE.quadrature(
                    IntegrationRule.MAX_GAUSS_LEGENDRE_STEPS + 1));
    assertEquals(
        "Cannot use gauss_legendre with 257 steps: at most 256 are supported, which already "
            + "integrate smooth models below float precision",
        e.getMessage());
  }

  @Test
  void quadratureHoldsCopiesAndComparesByValue() {
    double[] alphas = {0.25, 0.75};
    double[] weights = {0.5, 0.5};
    Quadrature quadrature = new Quadrature(alphas, weights);
    alphas[0] = 0;
    quadrature.weights()[0] = 0;
    assertArrayEquals(new double[] {0.25, 0.75}, quadrature.alphas());
    assertArrayEquals(new double[] {0.5, 0.5}, quadrature.weights());
    assertEquals(IntegrationRule.RIEMANN_MIDDLE.quadrature(2), quadrature);
    assertEquals(IntegrationRule.RIEMANN_MIDDLE.quadrature(2).hashCode(), quadrature.hashCode());
    assertNotEquals(IntegrationRule.RIEMANN_LEFT.quadrature(2), quadrature);
  }

  @Test
  void quadratureNeedsOneWeightPerPoint() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Quadrature(new double[] {0.5}, new double[] {0.5, 0.5}));
    assertEquals(
        "Cannot build quadrature: expected as many weights as points (at least one), got 1 points "
            + "and 2 weights",
        e.getMessage());
  }
}
