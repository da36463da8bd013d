package org.attribution.method;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The background distribution of interventional Shapley values: a set of encoded rows with
 * weights. A player outside a coalition takes its value from a background row, and the value of a
 * coalition is the weighted mean of the model over the background.
 *
 * @param rows {@code count x width} encoded rows, row-major
 * @param count number of rows
 * @param width encoded width of a row
 * @param weights one per row, non-negative, summing to 1 (k-means centroids carry their cluster's
 *     share; sampled rows weigh the same)
 * @param baseValues the explained model's weighted mean over these rows, per model output, when it
 *     was computed already; null when each method computes it from the model it is given. The
 *     job computes it once on the driver and ships it with the rows, so that every executor
 *     reports the same base value to the last bit: libtorch's float32 result for a few padded rows
 *     can differ in its last bit between processes (a cluster's executor against the local run),
 *     and a base value computed on each executor would then differ between runs that must agree.
 */
public record Background(float[] rows, int count, int width, double[] weights, double[] baseValues)
    implements Serializable {

  /**
   * A background whose base values each method computes from its model.
   *
   * @param weights one per row, non-negative, not all 0: scaled here to sum to 1
   */
  public Background(float[] rows, int count, int width, double[] weights) {
    this(rows, count, width, normalized(weights), null);
  }

  /**
   * @throws IllegalArgumentException if there is no row, the arrays do not match count and width,
   *     or the weights are not finite, non-negative and summing to 1 (within 1e-9)
   */
  public Background {
    if (count < 1) {
      throw new IllegalArgumentException("Cannot use an empty background: it needs at least one row");
    }
    if (rows.length != count * width || weights.length != count) {
      throw new IllegalArgumentException("Cannot build background: expected " + count + " rows of width " + width
          + " and " + count + " weights, got " + rows.length + " values and " + weights.length + " weights");
    }
    double sum = checkedSum(weights);
    if (Math.abs(sum - 1) > 1e-9) {
      throw new IllegalArgumentException("Cannot build background: its weights sum to " + sum + ", not 1");
    }
    rows = rows.clone();
    weights = weights.clone();
    baseValues = baseValues == null ? null : baseValues.clone();
  }

  /** The weights scaled to sum to 1; not in the canonical constructor, so that a copy keeps their bits. */
  private static double[] normalized(double[] weights) {
    double sum = checkedSum(weights);
    if (sum <= 0) {
      throw new IllegalArgumentException("Cannot build background: its weights sum to 0");
    }
    return Arrays.stream(weights).map(w -> w / sum).toArray();
  }

  private static double checkedSum(double[] weights) {
    double sum = 0;
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("Cannot build background: weights must be finite and non-negative, got " + w);
      }
      sum += w;
    }
    return sum;
  }

  /**
   * This background with the explained model's base values, computed once where the run starts.
   *
   * @param values the model's weighted mean over these rows, one per model output
   */
  public Background withBaseValues(double[] values) {
    return new Background(rows, count, width, weights, values);
  }

  /** Rows of equal weight. */
  public static Background uniform(float[] rows, int count, int width) {
    double[] weights = new double[count];
    Arrays.fill(weights, 1.0);
    return new Background(rows, count, width, weights);
  }

  @Override
  public float[] rows() {
    return rows.clone();
  }

  @Override
  public double[] weights() {
    return weights.clone();
  }

  @Override
  public double[] baseValues() {
    return baseValues == null ? null : baseValues.clone();
  }

  /** Copies background row {@code b} into {@code dest} at {@code offset}. */
  void copyRow(int b, float[] dest, int offset) {
    System.arraycopy(rows, b * width, dest, offset, width);
  }

  /** Copies every row, in order, to the start of {@code dest}. */
  void copyRows(float[] dest) {
    System.arraycopy(rows, 0, dest, 0, rows.length);
  }

  /**
   * Copies {@code length} values of background row {@code b}, from column {@code column} on, into
   * {@code dest} at {@code offset}.
   */
  void copyColumns(int b, int column, int length, float[] dest, int offset) {
    System.arraycopy(rows, b * width + column, dest, offset, length);
  }

  /** Weight of background row {@code b}. */
  double weight(int b) {
    return weights[b];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Background that && count == that.count && width == that.width
        && Arrays.equals(rows, that.rows) && Arrays.equals(weights, that.weights)
        && Arrays.equals(baseValues, that.baseValues);
  }

  @Override
  public int hashCode() {
    return (Arrays.hashCode(rows) * 31 + Arrays.hashCode(weights)) * 31 + Arrays.hashCode(baseValues);
  }

  @Override
  public String toString() {
    return "Background[" + count + " rows of width " + width + "]";
  }
}
