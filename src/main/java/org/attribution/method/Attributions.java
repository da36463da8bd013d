package org.attribution.method;

/**
 * Attributions of a batch of rows, one value per (row, player), with what completeness is
 * checked against.
 *
 * <p>Every method here satisfies completeness: the attributions of a row sum to
 * {@code output(r) - reference(r)}, where the reference is f(baseline) for path methods and the
 * base value (expected output over the background) for SHAP methods. {@link #gap} reports how
 * far a row is from that, which is how quadrature or sampling error shows up per row.
 *
 * @param rows number of rows
 * @param players number of players per row
 * @param values {@code rows x players} attributions, row-major
 * @param outputs the explained output f(x) of each row, at its target
 * @param references the reference output of each row, at its target
 * @param standardErrors {@code rows x players} standard errors of the values, for sampling
 *     methods that estimate their own error; null for exact and deterministic methods
 * @param fitRSquared for a surrogate method (LIME), the weighted R^2 of each row's fit; null for
 *     the others
 */
public record Attributions(int rows, int players, double[] values, double[] outputs, double[] references,
    double[] standardErrors, double[] fitRSquared) {

  public Attributions {
    if (values.length != rows * players || outputs.length != rows || references.length != rows
        || (standardErrors != null && standardErrors.length != rows * players)
        || (fitRSquared != null && fitRSquared.length != rows)) {
      throw new IllegalArgumentException(
          "Cannot build attributions: expected " + rows + " rows of " + players + " players, got "
              + values.length + " values, " + outputs.length + " outputs, " + references.length
              + " references" + (standardErrors == null ? "" : ", " + standardErrors.length + " standard errors"));
    }
  }

  /** Attributions without standard errors. */
  public Attributions(int rows, int players, double[] values, double[] outputs, double[] references) {
    this(rows, players, values, outputs, references, null);
  }

  /** Attributions of a method that fits no surrogate. */
  public Attributions(
      int rows, int players, double[] values, double[] outputs, double[] references, double[] standardErrors) {
    this(rows, players, values, outputs, references, standardErrors, null);
  }

  /** These attributions with each row's surrogate fit R^2. */
  public Attributions withFitRSquared(double[] rSquared) {
    return new Attributions(rows, players, values, outputs, references, standardErrors, rSquared);
  }

  /** The weighted R^2 of row {@code row}'s surrogate fit; NaN for a method without one. */
  public double fitRSquared(int row) {
    return fitRSquared == null ? Double.NaN : fitRSquared[row];
  }

  /** Standard error of the attribution of {@code player} in row {@code row}; NaN when not estimated. */
  public double standardError(int row, int player) {
    return standardErrors == null ? Double.NaN : standardErrors[row * players + player];
  }

  /** Attribution of {@code player} in row {@code row}. */
  public double value(int row, int player) {
    return values[row * players + player];
  }

  /** Completeness gap of a row: sum of its attributions minus (output - reference). */
  public double gap(int row) {
    double sum = 0;
    int base = row * players;
    for (int p = 0; p < players; p++) {
      sum += values[base + p];
    }
    return sum - (outputs[row] - references[row]);
  }
}
