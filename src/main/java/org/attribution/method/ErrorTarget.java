package org.attribution.method;

/**
 * The stopping rule of {@code method.target_error}, shared by the estimators that sample until a
 * row is accurate enough (Kernel SHAP, sampling Shapley).
 *
 * <p>A row's estimated relative mean absolute error is {@code sqrt(2 / pi) sum_i se_i / sum_i
 * |phi_i|}: the expected |error| of a normal estimate is {@code sqrt(2 / pi)} times its standard
 * error, so this is the row's expected share of {@code sum |phi - exact| / sum |exact|}, the
 * measure the accuracy benchmark reports. A row whose standard errors are not known yet (NaN: too
 * few draws to estimate them) has not met any target.
 */
final class ErrorTarget {

  private static final double EXPECTED_ABS_PER_SE = Math.sqrt(2 / Math.PI);

  private ErrorTarget() {}

  /**
   * {@code target} if it is 0 (none) or a positive finite number.
   *
   * @param action what the caller cannot do otherwise, for the message
   * @throws IllegalArgumentException if it is not
   */
  static double checked(String action, double target) {
    if (!(target >= 0) || Double.isInfinite(target)) {
      throw new IllegalArgumentException(
          "Cannot " + action + ": the target error must be 0 (none) or positive, got " + target);
    }
    return target;
  }

  /**
   * Whether a row with standard errors summing to {@code errors} and attributions of absolute sum
   * {@code magnitude} meets relative target {@code target}.
   */
  static boolean met(double target, double errors, double magnitude) {
    return EXPECTED_ABS_PER_SE * errors <= target * magnitude;
  }

  /** As {@link #met}, over row {@code row}'s {@code players} values and standard errors. */
  static boolean met(double target, double[] values, double[] errors, int row, int players) {
    double errorSum = 0;
    double magnitude = 0;
    for (int p = row * players; p < (row + 1) * players; p++) {
      errorSum += errors[p];
      magnitude += Math.abs(values[p]);
    }
    return met(target, errorSum, magnitude);
  }
}
