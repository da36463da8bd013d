package org.attribution.method;

/**
 * The Cholesky factor {@code L L' = A} of a symmetric positive definite matrix, for the small dense
 * normal equations of the surrogate fits (LIME's ridge, Kernel SHAP's cubic adjustment).
 */
final class Cholesky {

  private final int n;
  /** L, row-major, lower triangle. */
  private final double[] l;

  private Cholesky(int n, double[] l) {
    this.n = n;
    this.l = l;
  }

  /**
   * Factors A, of which the lower triangle of the row-major {@code n x n} array is read. A pivot
   * that rounding takes below {@code floor} is raised to it, so a nearly singular A gives a large
   * finite solution instead of NaN; 0 keeps every pivot as computed.
   */
  static Cholesky factor(double[] a, int n, double floor) {
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = a[i * n + j];
        for (int k = 0; k < j; k++) {
          sum -= l[i * n + k] * l[j * n + k];
        }
        if (i == j) {
          l[i * n + i] = Math.sqrt(Math.max(sum, floor));
        } else {
          l[i * n + j] = sum / l[j * n + j];
        }
      }
    }
    return new Cholesky(n, l);
  }

  /** The solution x of {@code A x = b}. */
  double[] solve(double[] b) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      double sum = b[i];
      for (int k = 0; k < i; k++) {
        sum -= l[i * n + k] * x[k];
      }
      x[i] = sum / l[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
      double sum = x[i];
      for (int k = i + 1; k < n; k++) {
        sum -= l[k * n + i] * x[k];
      }
      x[i] = sum / l[i * n + i];
    }
    return x;
  }
}
