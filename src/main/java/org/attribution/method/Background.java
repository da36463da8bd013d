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
 */
public record Background(float[] rows, int count, int width, double[] weights) implements Serializable {

  public Background {
    if (count < 1) {
      throw new IllegalArgumentException("Cannot use an empty background: it needs at least one row");
    }
    if (rows.length != count * width || weights.length != count) {
      throw new IllegalArgumentException("Cannot build background: expected " + count + " rows of width " + width
          + " and " + count + " weights, got " + rows.length + " values and " + weights.length + " weights");
    }
    double sum = 0;
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("Cannot build background: weights must be finite and non-negative, got " + w);
      }
      sum += w;
    }
    if (sum <= 0) {
      throw new IllegalArgumentException("Cannot build background: its weights sum to 0");
    }
    rows = rows.clone();
    double total = sum;
    weights = Arrays.stream(weights).map(w -> w / total).toArray();
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

  /** Copies background row {@code b} into {@code dest} at {@code offset}. */
  void copyRow(int b, float[] dest, int offset) {
    System.arraycopy(rows, b * width, dest, offset, width);
  }

  /** Weight of background row {@code b}. */
  double weight(int b) {
    return weights[b];
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Background that && count == that.count && width == that.width
        && Arrays.equals(rows, that.rows) && Arrays.equals(weights, that.weights);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(rows) * 31 + Arrays.hashCode(weights);
  }

  @Override
  public String toString() {
    return "Background[" + count + " rows of width " + width + "]";
  }
}
