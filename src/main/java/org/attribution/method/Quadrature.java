package org.attribution.method;

import java.util.Arrays;

/**
 * A quadrature rule on [0, 1]: the integral of g is approximated by {@code sum_k weights[k] *
 * g(alphas[k])}.
 *
 * <p>Path methods evaluate the model at the points {@code baseline + alpha * (x - baseline)}, so
 * the points are the fractions of the path and the weights are what each gradient counts for.
 * Points are in ascending order and every rule here has weights summing to 1, so a constant
 * integrand comes out exact.
 *
 * @param alphas the evaluation points, ascending, in [0, 1]
 * @param weights the weight of each point
 */
public record Quadrature(double[] alphas, double[] weights) {

  public Quadrature {
    if (alphas.length != weights.length || alphas.length == 0) {
      throw new IllegalArgumentException(
          "Cannot build quadrature: expected as many weights as points (at least one), got "
              + alphas.length
              + " points and "
              + weights.length
              + " weights");
    }
    alphas = alphas.clone();
    weights = weights.clone();
  }

  /** Number of evaluation points. */
  public int points() {
    return alphas.length;
  }

  @Override
  public double[] alphas() {
    return alphas.clone();
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Quadrature that
        && Arrays.equals(alphas, that.alphas)
        && Arrays.equals(weights, that.weights);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(alphas) + Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    return "Quadrature[alphas="
        + Arrays.toString(alphas)
        + ", weights="
        + Arrays.toString(weights)
        + "]";
  }
}
