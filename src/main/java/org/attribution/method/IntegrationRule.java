package org.attribution.method;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegrator;
import org.apache.commons.math3.analysis.integration.gauss.GaussIntegratorFactory;

/**
 * How a path integral over [0, 1] is turned into a finite sum of gradient evaluations.
 *
 * <p>Every rule's weights sum to 1, so the gradient of a linear model is integrated exactly
 * whatever the rule and step count. Error on smooth integrands, with {@code n} evaluation points:
 * the left and right Riemann sums are first order (error about g'/(2n)), the midpoint and trapezoid
 * rules second order (g''/(24 n^2) and g''/(12 (n-1)^2)), and Gauss-Legendre integrates polynomials
 * of degree up to 2n - 1 exactly, so on smooth models it reaches float precision with a few tens of
 * points. On models with kinks (ReLU) no rule is better than first order, and the midpoint rule is
 * the usual choice.
 */
public enum IntegrationRule {
  /** Points k/n, weights 1/n. */
  RIEMANN_LEFT("riemann_left"),
  /** Points (k+1)/n, weights 1/n. */
  RIEMANN_RIGHT("riemann_right"),
  /** Points (k+1/2)/n, weights 1/n. */
  RIEMANN_MIDDLE("riemann_middle"),
  /**
   * Points k/(n-1) from 0 to 1 inclusive, weights 1/(2(n-1)) at the ends and 1/(n-1) inside,
   * summing to 1 (Captum's version drops half an interval and sums to 1 - 1/n).
   */
  TRAPEZOID("trapezoid"),
  /**
   * Gauss-Legendre points and weights mapped onto [0, 1]; at most {@link
   * #MAX_GAUSS_LEGENDRE_STEPS}.
   */
  GAUSS_LEGENDRE("gauss_legendre");

  /**
   * Most points a Gauss-Legendre rule may have. commons-math3 builds an n-point rule from all
   * smaller ones, at O(n^3) cost: 256 points take about half a second once per JVM, 512 take
   * several seconds. 256 points integrate any smooth path far below float precision, so more would
   * only cost time.
   */
  public static final int MAX_GAUSS_LEGENDRE_STEPS = 256;

  private final String id;

  IntegrationRule(String id) {
    this.id = id;
  }

  /** Stable snake_case name, as used in configuration and output. */
  public String id() {
    return id;
  }

  /**
   * The rule with the given {@link #id()}.
   *
   * @throws IllegalArgumentException if no rule has that id
   */
  public static IntegrationRule fromId(String id) {
    for (IntegrationRule rule : values()) {
      if (rule.id.equals(id)) {
        return rule;
      }
    }
    throw new IllegalArgumentException(
        "Cannot parse integration rule '"
            + id
            + "': expected one of "
            + Arrays.stream(values()).map(IntegrationRule::id).collect(Collectors.joining(", ")));
  }

  /**
   * Points and weights of this rule on [0, 1] with {@code steps} evaluation points.
   *
   * @throws IllegalArgumentException if the rule cannot use that many steps
   */
  public Quadrature quadrature(int steps) {
    int minimum = this == TRAPEZOID ? 2 : 1;
    if (steps < minimum) {
      throw new IllegalArgumentException(
          "Cannot use "
              + id
              + " with "
              + steps
              + " steps: needs at least "
              + minimum
              + (this == TRAPEZOID ? ", one at each end of the path" : ""));
    }
    if (this == GAUSS_LEGENDRE && steps > MAX_GAUSS_LEGENDRE_STEPS) {
      throw new IllegalArgumentException(
          "Cannot use "
              + id
              + " with "
              + steps
              + " steps: at most "
              + MAX_GAUSS_LEGENDRE_STEPS
              + " are supported, which already integrate smooth models below float precision");
    }
    return switch (this) {
      case RIEMANN_LEFT -> riemann(steps, 0.0);
      case RIEMANN_RIGHT -> riemann(steps, 1.0);
      case RIEMANN_MIDDLE -> riemann(steps, 0.5);
      case TRAPEZOID -> trapezoid(steps);
      case GAUSS_LEGENDRE -> GaussLegendre.onUnitInterval(steps);
    };
  }

  private static Quadrature riemann(int steps, double offset) {
    double[] alphas = new double[steps];
    double[] weights = new double[steps];
    for (int k = 0; k < steps; k++) {
      alphas[k] = (k + offset) / steps;
      weights[k] = 1.0 / steps;
    }
    return new Quadrature(alphas, weights);
  }

  private static Quadrature trapezoid(int steps) {
    int intervals = steps - 1;
    double[] alphas = new double[steps];
    double[] weights = new double[steps];
    for (int k = 0; k < steps; k++) {
      alphas[k] = (double) k / intervals;
      weights[k] = 1.0 / intervals;
    }
    weights[0] = 0.5 / intervals;
    weights[intervals] = 0.5 / intervals;
    return new Quadrature(alphas, weights);
  }

  /**
   * Gauss-Legendre rules from commons-math3.
   *
   * <p>{@code legendre} (double arithmetic) rather than {@code legendreHighPrecision} (BigDecimal):
   * checked at 1, 2, 3, 5 and 8 points and at powers of two up to 256, both reproduce the exact
   * integrals of all monomials up to degree 2n - 1 on [0, 1], and have weights summing to 1, within
   * 5e-16, so the BigDecimal version gains nothing once rounded to double while costing 100 to 250
   * times longer (over two minutes for 256 points).
   */
  private static final class GaussLegendre {
    // The factory caches the rules it has built, which amortises their O(n^3) cost, but reads
    // that cache without synchronisation: every use goes through this class's lock.
    private static final GaussIntegratorFactory FACTORY = new GaussIntegratorFactory();

    static synchronized Quadrature onUnitInterval(int points) {
      GaussIntegrator rule = FACTORY.legendre(points, 0.0, 1.0);
      double[] alphas = new double[points];
      double[] weights = new double[points];
      for (int k = 0; k < points; k++) {
        alphas[k] = rule.getPoint(k);
        weights[k] = rule.getWeight(k);
      }
      return new Quadrature(alphas, weights);
    }
  }
}
