package org.attribution.aggregate;

import java.io.Serializable;
import java.math.BigDecimal;

/**
 * A fixed number of running sums, each kept as an unevaluated pair {@code hi + lo}.
 *
 * <p>Every addition goes through Knuth's TwoSum, which carries its rounding error into {@code lo},
 * and a product can be added with the error of its own rounding (from a fused multiply-add), so a
 * pair holds about 106 bits of its sum. Sums of float values of ordinary range are then exact, and
 * sums of doubles are exact far below a double's last bit: partial sums merged in any order, which
 * is how Spark's partitioning reorders them, read back as the same double.
 */
final class CompensatedSums implements Serializable {

  private static final long serialVersionUID = 1L;

  private final double[] hi;
  private final double[] lo;

  /** {@code size} sums, all zero. */
  CompensatedSums(int size) {
    this.hi = new double[size];
    this.lo = new double[size];
  }

  /** Number of sums. */
  int size() {
    return hi.length;
  }

  /** Adds {@code value} to sum {@code i}. */
  void add(int i, double value) {
    double a = hi[i];
    double sum = a + value;
    double valuePart = sum - a;
    hi[i] = sum;
    lo[i] += (a - (sum - valuePart)) + (value - valuePart);
  }

  /** Adds {@code a * b}, with the product's rounding error, to sum {@code i}. */
  void addProduct(int i, double a, double b) {
    double product = a * b;
    add(i, product);
    lo[i] += Math.fma(a, b, -product);
  }

  /** Adds each of the other's sums into the matching sum of this one. */
  void addAll(CompensatedSums other) {
    if (other.hi.length != hi.length) {
      throw new IllegalArgumentException("Cannot add " + other.hi.length + " sums into " + hi.length);
    }
    for (int i = 0; i < hi.length; i++) {
      add(i, other.hi[i]);
      lo[i] += other.lo[i];
    }
  }

  /** Sum {@code i} rounded to a double; infinite or NaN when the sum overflowed. */
  double rounded(int i) {
    return hi[i] + lo[i];
  }

  /**
   * Sum {@code i}, exactly as held: {@code hi + lo} without rounding.
   *
   * @throws NumberFormatException if the sum overflowed (see {@link #rounded})
   */
  BigDecimal exact(int i) {
    return new BigDecimal(hi[i]).add(new BigDecimal(lo[i]));
  }
}
