package org.attribution.aggregate;

import java.io.Serializable;
import java.math.BigDecimal;
import java.math.MathContext;

/**
 * Column standard deviations of float rows, summed so that the order of rows and of merges cannot
 * change them, as {@link ColumnMeans} does for means: each column keeps the sum of its values and
 * of their squares in {@link CompensatedSums} (a float's square is exact in a double), and the
 * variance is formed from the exact sums, so it does not cancel when a column's mean is large next
 * to its spread.
 */
public final class ColumnSpread implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final MathContext DIVISION = new MathContext(64);

  private final int width;
  /** Column c's sum at c, its sum of squares at width + c. */
  private final CompensatedSums sums;
  private long count;

  /** No rows yet, for rows of {@code width} columns. */
  public ColumnSpread(int width) {
    this.width = width;
    this.sums = new CompensatedSums(2 * width);
  }

  /** Adds the row of {@code width} values that starts at {@code offset}. */
  public void add(float[] values, int offset) {
    for (int c = 0; c < width; c++) {
      double x = values[offset + c];
      sums.add(c, x);
      sums.addProduct(width + c, x, x);
    }
    count++;
  }

  /** Adds the other's rows into this one and returns this. */
  public ColumnSpread merge(ColumnSpread other) {
    if (other.width != width) {
      throw new IllegalArgumentException("Cannot merge the spread of " + other.width + " columns into " + width);
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
   * The population standard deviation of each column; 0 for every column of a single row.
   *
   * @throws IllegalStateException if no row was added
   */
  public double[] standardDeviations() {
    if (count == 0) {
      throw new IllegalStateException("no rows: the standard deviations are undefined");
    }
    BigDecimal n = BigDecimal.valueOf(count);
    double[] deviations = new double[width];
    for (int c = 0; c < width; c++) {
      BigDecimal sum = sums.exact(c);
      BigDecimal squares = sums.exact(width + c).subtract(sum.multiply(sum).divide(n, DIVISION));
      deviations[c] = Math.sqrt(Math.max(0, squares.divide(n, DIVISION).doubleValue()));
    }
    return deviations;
  }
}
