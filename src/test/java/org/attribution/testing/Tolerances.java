package org.attribution.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Named tolerances and the one closeness check that tests share, so that every comparison of
 * floating-point results states how close is close enough in the same way.
 */
public final class Tolerances {

  /**
   * Relative tolerance for float32 results of the engine against float32 results computed
   * elsewhere (PyTorch in Python): both round at about 6e-8 per operation, and differently
   * ordered reductions add a few of those.
   */
  public static final double FLOAT32_RTOL = 1e-5;

  /**
   * Absolute tolerance paired with {@link #FLOAT32_RTOL}, for values that should be near zero,
   * where a relative bound means nothing.
   */
  public static final double FLOAT32_ATOL = 1e-6;

  /**
   * Absolute tolerance for sums of a few dozen double-precision terms of order one: each adds
   * about 1e-16 of rounding, so 1e-12 leaves room without hiding a wrong term.
   */
  public static final double DOUBLE_SUM_ATOL = 1e-12;

  private Tolerances() {}

  /**
   * Asserts equal lengths, then {@code |actual[i] - expected[i]| <= atol + rtol * |expected[i]|}
   * for every index; the failure names {@code what} and the first index that is off.
   */
  public static void assertClose(
      double[] expected, double[] actual, double atol, double rtol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double bound = atol + rtol * Math.abs(expected[i]);
      // Written so that a NaN on either side fails.
      if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
        fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i]
            + " (allowed difference " + bound + ")");
      }
    }
  }

  /** {@link #assertClose(double[], double[], double, double, String)} for float results. */
  public static void assertClose(
      double[] expected, float[] actual, double atol, double rtol, String what) {
    assertClose(expected, toDoubles(actual), atol, rtol, what);
  }

  /** Widens a float array, so float results can be compared with double references. */
  public static double[] toDoubles(float[] values) {
    double[] doubles = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      doubles[i] = values[i];
    }
    return doubles;
  }
}
