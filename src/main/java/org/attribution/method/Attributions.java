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
 * @param effort for a method that samples each row to a target error, what each row spent and
 *     whether it met the target; null for the others, whose cost per row is fixed
 */
public record Attributions(int rows, int players, double[] values, double[] outputs, double[] references,
    double[] standardErrors, double[] fitRSquared, Effort effort) {

  /**
   * What sampling to a target error cost each row.
   *
   * @param evaluations model evaluations spent on each row, f(x) included
   * @param targetMet whether each row's estimated error met the target; false for a row that
   *     stopped at the cap
   */
  public record Effort(long[] evaluations, boolean[] targetMet) {}

  public Attributions {
    if (values.length != rows * players || outputs.length != rows || references.length != rows
        || (standardErrors != null && standardErrors.length != rows * players)
        || (fitRSquared != null && fitRSquared.length != rows)
        || (effort != null && (effort.evaluations().length != rows || effort.targetMet().length != rows))) {
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
    this(rows, players, values, outputs, references, standardErrors, null, null);
  }

  /** These attributions with each row's surrogate fit R^2. */
  public Attributions withFitRSquared(double[] rSquared) {
    return new Attributions(rows, players, values, outputs, references, standardErrors, rSquared, effort);
  }

  /** These attributions with what each row's sampling to a target error cost. */
  public Attributions withEffort(Effort rowEffort) {
    return new Attributions(rows, players, values, outputs, references, standardErrors, fitRSquared, rowEffort);
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
