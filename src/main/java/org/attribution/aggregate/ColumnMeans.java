package org.attribution.aggregate;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Column means of float rows, summed so that the order of rows and of merges cannot change them.
 *
 * <p>Each column keeps its sum as an unevaluated pair {@code hi + lo} updated with Knuth's
 * TwoSum, which carries the rounding error of every addition into {@code lo}. For float inputs of
 * ordinary range the pair holds the exact sum, so a mean computed per partition and merged comes
 * out identical however Spark partitions the rows; a plain double sum would differ in its last
 * bits, and occasionally so would the float the model then sees.
 */
public final class ColumnMeans implements Serializable {

  private static final long serialVersionUID = 1L;
  /** Far more digits than a double-double sum of floats carries, so the quotient rounds once. */
  private static final MathContext DIVISION = new MathContext(64);

  private final double[] hi;
  private final double[] lo;
  private long count;

  /** No rows yet, for rows of {@code width} columns. */
  public ColumnMeans(int width) {
    this.hi = new double[width];
    this.lo = new double[width];
  }

  /** Adds the row of {@code width} values that starts at {@code offset}. */
  public void add(float[] values, int offset) {
    for (int c = 0; c < hi.length; c++) {
      accumulate(c, hi[c], values[offset + c], lo[c]);
    }
    count++;
  }

  /** Adds the other's rows into this one and returns this. */
  public ColumnMeans merge(ColumnMeans other) {
    if (other.hi.length != hi.length) {
      throw new IllegalArgumentException(
          "Cannot merge means of " + other.hi.length + " columns into means of " + hi.length);
    }
    for (int c = 0; c < hi.length; c++) {
      accumulate(c, hi[c], other.hi[c], lo[c] + other.lo[c]);
    }
    count += other.count;
    return this;
  }

  /** Rows added so far. */
  public long count() {
    return count;
  }

  /**
   * The mean of each column as a float, the model's input type.
   *
   * @throws IllegalStateException if no row was added
   */
  public float[] means() {
    if (count == 0) {
      throw new IllegalStateException("no rows: the means are undefined");
    }
    // hi + lo rounded to a double and then to a float would round twice and can land on a float
    // midpoint that the exact sum is just off; one column per value makes decimal arithmetic cheap.
    BigDecimal n = BigDecimal.valueOf(count);
    float[] means = new float[hi.length];
    for (int c = 0; c < hi.length; c++) {
      means[c] = new BigDecimal(hi[c]).add(new BigDecimal(lo[c])).divide(n, DIVISION).floatValue();
    }
    return means;
  }

  /** hi[c] + lo[c] := a + b + carried, keeping a + b's rounding error in lo. */
  private void accumulate(int c, double a, double b, double carried) {
    double sum = a + b;
    double bPart = sum - a;
    double error = (a - (sum - bPart)) + (b - bPart);
    hi[c] = sum;
    lo[c] = carried + error;
  }
}
