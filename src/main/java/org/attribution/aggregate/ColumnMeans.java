package org.attribution.aggregate;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Column means of float rows, summed so that the order of rows and of merges cannot change them.
 *
 * <p>Each column keeps its sum in {@link CompensatedSums}. For float inputs of ordinary range that
 * is the exact sum, so a mean computed per partition and merged comes out identical however Spark
 * partitions the rows; a plain double sum would differ in its last bits, and occasionally so would
 * the float the model then sees.
 */
public final class ColumnMeans implements Serializable {

  private static final long serialVersionUID = 1L;
  /** Far more digits than a double-double sum of floats carries, so the quotient rounds once. */
  private static final MathContext DIVISION = new MathContext(64);

  private final CompensatedSums sums;
  private long count;

  /** No rows yet, for rows of {@code width} columns. */
  public ColumnMeans(int width) {
    this.sums = new CompensatedSums(width);
  }

  /** Adds the row of {@code width} values that starts at {@code offset}. */
  public void add(float[] values, int offset) {
    for (int c = 0; c < sums.size(); c++) {
      sums.add(c, values[offset + c]);
    }
    count++;
  }

  /** Adds the other's rows into this one and returns this. */
  public ColumnMeans merge(ColumnMeans other) {
    if (other.sums.size() != sums.size()) {
      throw new IllegalArgumentException(
          "Cannot merge means of " + other.sums.size() + " columns into means of " + sums.size());
    }
    sums.addAll(other.sums);
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
    float[] means = new float[sums.size()];
    for (int c = 0; c < means.length; c++) {
      means[c] = sums.exact(c).divide(n, DIVISION).floatValue();
    }
    return means;
  }
}
