package org.attribution.method;

import java.util.Arrays;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;

/**
 * The regression at the heart of Kernel SHAP: over coalitions z (0/1 vectors of M players) with
 * weights w_z, find
 *
 * <pre>
 *   phi = argmin sum_z w_z (y_z - z . phi)^2   subject to   sum_i phi_i = delta,
 * </pre>
 *
 * where {@code y_z = v(z) - v(empty)} and {@code delta = v(full) - v(empty)}.
 *
 * <p><b>The constraint is eliminated, not penalised.</b> Writing {@code phi = (delta / M) 1 + B u},
 * with B an orthonormal basis of the vectors that sum to zero (a Householder reflection of the
 * all-ones direction, in closed form), leaves an unconstrained weighted least-squares problem in
 * the M - 1 coordinates u. This is shap's substitution of one variable, in coordinates that treat
 * all players alike; the last coefficient is finally set to {@code delta} minus the others, so the
 * sum holds exactly whatever rounding the solve did.
 *
 * <p><b>Rank deficiency.</b> The weighted design {@code W^(1/2) Z B} is reduced to a square
 * triangular factor by a QR decomposition (commons-math3). When that factor's condition number
 * proves it far from singular it is inverted directly; otherwise it is solved through its singular
 * value decomposition (commons-math3), dropping singular values at rounding level, so the solve
 * never fails. (A singular value decomposition of the whole n x (M - 1) design would do the same at
 * many times the cost: 60 ms per row for 20 players and shap's default budget.) When the coalitions
 * do not tell every pair of players apart (a budget of a few coalitions, or a sample that happens
 * to miss a split), the minimisers form an affine set and the pseudo-inverse returns the one with
 * the smallest {@code |phi - (delta / M) 1|}: players the data cannot separate share their total
 * equally. {@link #identified()} reports whether this happened; standard errors are then not
 * estimated.
 *
 * <p><b>Standard errors.</b> See {@link #standardErrors}.
 *
 * <p>Cost: {@code O(n M^2 + M^3)} for n coalitions, for the fit and again for the standard errors.
 */
public final class ConstrainedWeightedLeastSquares {

  /**
   * A cluster's {@code I - H_c} with a pivot below this is singular: deleting one of its draws
   * would leave phi unidentified. (commons-math's default for its LU decomposition.)
   */
  private static final double SINGULAR_PIVOT = 1e-11;

  private final int players;
  private final double[] coefficients;
  private final boolean identified;

  /** Unweighted design rows {@code x_z = z B}, in the reduced coordinates. */
  private final double[][] design;

  /** {@code y_z - z . phi}, the residuals at the solution. */
  private final double[] residuals;

  private final double[] weights;

  /** The pseudo-inverse of the normal matrix {@code A = X^T W X} in the reduced coordinates. */
  private final RealMatrix normalInverse;

  private ConstrainedWeightedLeastSquares(
      int players,
      double[] coefficients,
      boolean identified,
      double[][] design,
      double[] residuals,
      double[] weights,
      RealMatrix normalInverse) {
    this.players = players;
    this.coefficients = coefficients;
    this.identified = identified;
    this.design = design;
    this.residuals = residuals;
    this.weights = weights;
    this.normalInverse = normalInverse;
  }

  /**
   * Solves the problem.
   *
   * @param masks {@code n x players} flags, row-major: coalition k holds player p when {@code
   *     masks[k * players + p]}
   * @param players number of players M, at least 2
   * @param y the target of each coalition, {@code v(z) - v(empty)}
   * @param weights the weight of each coalition, finite and non-negative
   * @param delta what the coefficients must sum to, {@code v(full) - v(empty)}
   * @throws IllegalArgumentException if the arrays do not agree or a weight is invalid
   */
  public static ConstrainedWeightedLeastSquares solve(
      boolean[] masks, int players, double[] y, double[] weights, double delta) {
    int n = y.length;
    if (players < 2) {
      throw new IllegalArgumentException(
          "Cannot solve the Kernel SHAP regression: needs at least 2 players, got " + players);
    }
    if (n < 1 || masks.length != n * players || weights.length != n) {
      throw new IllegalArgumentException(
          "Cannot solve the Kernel SHAP regression: expected at least one coalition, with "
              + players
              + " flags and a weight per target value, got "
              + n
              + " targets, "
              + masks.length
              + " flags and "
              + weights.length
              + " weights");
    }
    for (double w : weights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException(
            "Cannot solve the Kernel SHAP regression: weights must be finite and non-negative, got "
                + w);
      }
    }
    int free = players - 1;
    double equalShare = delta / players;
    double[][] design = new double[n][];
    // The weighted design with the weighted targets as a last column, padded with zero rows to at
    // least M rows (they change nothing) so that its R factor is square.
    double[][] augmented = new double[Math.max(n, players)][players];
    for (int k = 0; k < n; k++) {
      design[k] = reducedRow(masks, k, players);
      int size = 0;
      for (int p = 0; p < players; p++) {
        size += masks[k * players + p] ? 1 : 0;
      }
      double root = Math.sqrt(weights[k]);
      for (int j = 0; j < free; j++) {
        augmented[k][j] = root * design[k][j];
      }
      augmented[k][free] = root * (y[k] - equalShare * size);
    }

    // QR leaves the least-squares problem min |R u - c| with R square: the first M - 1 entries
    // of the last column of the augmented R are c = Q^T (weighted targets).
    RealMatrix r = new QRDecomposition(new Array2DRowRealMatrix(augmented, false)).getR();
    double[][] triangle = r.getSubMatrix(0, free - 1, 0, free - 1).getData();
    double[] c = r.getSubMatrix(0, free - 1, free, free).getColumn(0);
    double[] reduced = new double[free];
    double[][] normalInverse = new double[free][free];
    // The rounding of the QR over n rows decides what counts as zero, not R's size alone.
    double roundingLevel = Math.max(n, players) * Math.ulp(1.0);
    double[][] inverse = upperTriangularInverse(triangle);
    boolean identified;
    if (inverse != null && norm1(triangle) * norm1(inverse) * free * roundingLevel < 0.5) {
      // R is so well conditioned that no singular value can be at rounding level (sigma_min >=
      // 1 / (sqrt(M) |R^-1|_1) and sigma_max <= sqrt(M) |R|_1): the pseudo-inverse is the inverse,
      // and the singular value decomposition below would drop nothing. With the sampled budgets
      // Kernel SHAP uses this is every row, and the triangular solve costs a fraction of it.
      for (int a = 0; a < free; a++) {
        for (int k = a; k < free; k++) {
          reduced[a] += inverse[a][k] * c[k];
        }
        for (int b = 0; b < free; b++) {
          double sum = 0;
          for (int k = Math.max(a, b); k < free; k++) {
            sum += inverse[a][k] * inverse[b][k];
          }
          normalInverse[a][b] = sum;
        }
      }
      identified = true;
    } else {
      SingularValueDecomposition svd = new SingularValueDecomposition(new Array2DRowRealMatrix(triangle, false));
      double[] sigma = svd.getSingularValues();
      double tolerance = roundingLevel * sigma[0];
      int rank = (int) Arrays.stream(sigma).filter(value -> value > tolerance).count();
      double[][] left = svd.getU().getData();
      double[][] right = svd.getV().getData();
      for (int i = 0; i < rank; i++) {
        double projection = 0;
        for (int k = 0; k < free; k++) {
          projection += left[k][i] * c[k];
        }
        double inverseSquare = 1 / (sigma[i] * sigma[i]);
        for (int a = 0; a < free; a++) {
          reduced[a] += right[a][i] * projection / sigma[i];
          for (int b = 0; b < free; b++) {
            normalInverse[a][b] += right[a][i] * right[b][i] * inverseSquare;
          }
        }
      }
      identified = rank == free;
    }

    double[] coefficients = inBasis(reduced, players);
    double others = 0;
    for (int p = 0; p < players - 1; p++) {
      coefficients[p] += equalShare;
      others += coefficients[p];
    }
    coefficients[players - 1] = delta - others;

    double[] residuals = new double[n];
    for (int k = 0; k < n; k++) {
      double fitted = 0;
      for (int p = 0; p < players; p++) {
        fitted += masks[k * players + p] ? coefficients[p] : 0;
      }
      residuals[k] = y[k] - fitted;
    }
    return new ConstrainedWeightedLeastSquares(
        players,
        coefficients,
        identified,
        design,
        residuals,
        weights.clone(),
        new Array2DRowRealMatrix(normalInverse, false));
  }

  /** The solution phi, one value per player, summing to delta. */
  public double[] coefficients() {
    return coefficients.clone();
  }

  /**
   * Whether the coalitions determine phi uniquely; if not, {@link #coefficients} is the
   * minimum-norm choice described on the class.
   */
  public boolean identified() {
    return identified;
  }

  /**
   * Standard errors of the coefficients due to sampling: the delete-one-draw jackknife, in closed
   * form.
   *
   * <p>The sampled coalitions arrive in D independent draws of clusters (for Kernel SHAP,
   * complementary pairs): cluster c was drawn {@code d_c} times and its coalitions' weights are
   * proportional to {@code d_c}, so one draw of c puts weight {@code w_z / d_c} on each of its
   * coalitions. Deleting one draw of c moves the reduced solution by exactly {@code -A^+ h_c}, with
   *
   * <pre>
   *   h_c = X_c^T U_c^(1/2) (I - H_c)^-1 U_c^(1/2) r_c,   H_c = U_c^(1/2) X_c A^+ X_c^T U_c^(1/2),
   * </pre>
   *
   * where X_c and r_c are the cluster's design rows and residuals, U_c its per-draw weights, A the
   * weighted normal matrix of all coalitions and H_c the cluster's leverage (the leave-one-out
   * identity of least squares: no refit is needed). The jackknife variance is then
   *
   * <pre>
   *   Cov(u) = (D - 1) / D  A^+ [sum_c d_c (h_c - h)(h_c - h)^T] A^+,   h = sum_c d_c h_c / D,
   * </pre>
   *
   * and {@code Cov(phi) = B Cov(u) B^T}. Fixed (enumerated) coalitions are never deleted: they
   * carry no sampling error, though they enter A and the residuals. A deleted draw's mass is not
   * handed to the other draws; that would move every replicate alike, which the centring removes.
   *
   * <p>Why not the plain sandwich ({@code r_c} in place of {@code (I - H_c)^-1 r_c} and {@code D /
   * (D - 1)}, the cluster-robust CR1 estimator): with a few dozen pairs for ten players each pair's
   * leverage is large, the fitted residuals shrink towards zero, and the sandwich underestimates.
   * On a 10-player tanh network with 24 sampled pairs per row it gave 0.81 of the Monte Carlo
   * standard deviation and its 1.96 SE intervals covered the exact values 84% of the time; the
   * jackknife covered 95%, and 95% with 54 and 178 pairs too. The two agree as the leverages
   * vanish. The jackknife errs on the large side (Efron-Stein).
   *
   * @param clusterOf for each coalition, -1 if it was not sampled, else the index of its cluster
   * @param clusterDraws for each cluster, how many times it was drawn (at least 1)
   * @return one value per player: 0 for all when nothing was sampled; NaN for all when the sample
   *     cannot estimate them: phi is not identified, fewer than two draws were made, or deleting a
   *     single draw would leave phi unidentified
   * @throws IllegalArgumentException if the arrays do not match the coalitions
   */
  public double[] standardErrors(int[] clusterOf, int[] clusterDraws) {
    int[][] members = membersOf(clusterOf, clusterDraws.length);
    long draws = 0;
    for (int d : clusterDraws) {
      draws += d;
    }
    double[] errors = new double[players];
    if (draws == 0) {
      return errors;
    }
    Arrays.fill(errors, Double.NaN);
    if (!identified || draws < 2) {
      return errors;
    }
    // Each draw's deletion moves phi by B A^+ h_c; only the diagonal of their spread is reported,
    // so it is summed player by player instead of forming the (M - 1) x (M - 1) spread and two
    // matrix products around it.
    double[][] moves = new double[members.length][];
    double[] mean = new double[players];
    for (int c = 0; c < members.length; c++) {
      double[] reduced = deletionShift(members[c], clusterDraws[c]);
      if (reduced == null) {
        return errors;
      }
      moves[c] = inBasis(reduced, players);
      for (int p = 0; p < players; p++) {
        mean[p] += clusterDraws[c] * moves[c][p] / draws;
      }
    }
    double scale = (draws - 1.0) / draws;
    double[] variance = new double[players];
    for (int c = 0; c < members.length; c++) {
      for (int p = 0; p < players; p++) {
        double d = moves[c][p] - mean[p];
        variance[p] += scale * clusterDraws[c] * d * d;
      }
    }
    for (int p = 0; p < players; p++) {
      errors[p] = Math.sqrt(variance[p]);
    }
    return errors;
  }

  /** The coalitions of each cluster, checking the cluster indices on the way. */
  private int[][] membersOf(int[] clusterOf, int clusters) {
    int n = residuals.length;
    if (clusterOf.length != n) {
      throw new IllegalArgumentException(
          "Cannot estimate standard errors: expected a cluster index for each of "
              + n
              + " coalitions, got "
              + clusterOf.length);
    }
    int[] sizes = new int[clusters];
    for (int k = 0; k < n; k++) {
      int c = clusterOf[k];
      if (c >= clusters) {
        throw new IllegalArgumentException(
            "Cannot estimate standard errors: coalition "
                + k
                + " is in cluster "
                + c
                + " but there are "
                + clusters);
      }
      if (c >= 0) {
        sizes[c]++;
      }
    }
    int[][] members = new int[clusters][];
    for (int c = 0; c < clusters; c++) {
      members[c] = new int[sizes[c]];
      sizes[c] = 0;
    }
    for (int k = 0; k < n; k++) {
      int c = clusterOf[k];
      if (c >= 0) {
        members[c][sizes[c]++] = k;
      }
    }
    return members;
  }

  /**
   * {@code A^+ h_c} of one draw of a cluster (see {@link #standardErrors}), the move of the reduced
   * solution its deletion makes, or null when the draw's leverage is 1: without it phi would not be
   * identified.
   */
  private double[] deletionShift(int[] members, int draws) {
    int q = members.length;
    int free = players - 1;
    double[] root = new double[q];
    double[] rootResiduals = new double[q];
    double[][] projected = new double[q][];
    for (int a = 0; a < q; a++) {
      int k = members[a];
      root[a] = Math.sqrt(weights[k] / draws);
      rootResiduals[a] = root[a] * residuals[k];
      projected[a] = normalInverse.operate(design[k]);
    }
    double[][] complement = new double[q][q];
    for (int a = 0; a < q; a++) {
      for (int b = 0; b < q; b++) {
        double leverage = 0;
        for (int j = 0; j < free; j++) {
          leverage += projected[a][j] * design[members[b]][j];
        }
        complement[a][b] = (a == b ? 1 : 0) - root[a] * root[b] * leverage;
      }
    }
    double[] adjusted;
    if (q == 1) {
      // Kernel SHAP's clusters are one (merged) coalition each: the division, at the pivot
      // threshold commons-math's LU applies to larger clusters.
      if (Math.abs(complement[0][0]) < SINGULAR_PIVOT) {
        return null;
      }
      adjusted = new double[] {rootResiduals[0] / complement[0][0]};
    } else {
      DecompositionSolver solver =
          new LUDecomposition(new Array2DRowRealMatrix(complement, false), SINGULAR_PIVOT)
              .getSolver();
      if (!solver.isNonSingular()) {
        return null;
      }
      adjusted = solver.solve(new ArrayRealVector(rootResiduals, false)).toArray();
    }
    double[] shift = new double[free];
    for (int a = 0; a < q; a++) {
      double scale = root[a] * adjusted[a];
      for (int j = 0; j < free; j++) {
        shift[j] += scale * projected[a][j];
      }
    }
    return shift;
  }

  /** The inverse of an upper triangular matrix, by back substitution; null if a pivot is 0 or not finite. */
  private static double[][] upperTriangularInverse(double[][] triangle) {
    int size = triangle.length;
    double[][] inverse = new double[size][size];
    for (int i = size - 1; i >= 0; i--) {
      double pivot = triangle[i][i];
      if (pivot == 0 || !Double.isFinite(pivot)) {
        return null;
      }
      inverse[i][i] = 1 / pivot;
      for (int j = i + 1; j < size; j++) {
        double sum = 0;
        for (int k = i + 1; k <= j; k++) {
          sum += triangle[i][k] * inverse[k][j];
        }
        inverse[i][j] = -sum / pivot;
      }
    }
    return inverse;
  }

  /** The largest column sum of absolute values. */
  private static double norm1(double[][] matrix) {
    double norm = 0;
    for (int j = 0; j < matrix[0].length; j++) {
      double column = 0;
      for (double[] row : matrix) {
        column += Math.abs(row[j]);
      }
      norm = Math.max(norm, column);
    }
    return norm;
  }

  /**
   * Coalition k in the reduced coordinates, {@code z B}, with B as in {@link #inBasis}: entry j
   * is {@code z_{j+1} - z_0 / sqrt(M) - (sum_{i >= 1} z_i) / (M + sqrt(M))}.
   */
  private static double[] reducedRow(boolean[] masks, int k, int players) {
    double root = Math.sqrt(players);
    int at = k * players;
    int othersIn = 0;
    for (int p = 1; p < players; p++) {
      othersIn += masks[at + p] ? 1 : 0;
    }
    double shift = (masks[at] ? 1 / root : 0) + othersIn / (players + root);
    double[] row = new double[players - 1];
    for (int j = 0; j < players - 1; j++) {
      row[j] = (masks[at + j + 1] ? 1 : 0) - shift;
    }
    return row;
  }

  /**
   * {@code B u}, with B the orthonormal basis of the vectors summing to zero that {@link
   * #reducedRow} uses: the last M - 1 columns of the Householder reflection {@code I - 2 v v^T /
   * |v|^2} with {@code v = 1 / sqrt(M) + e_0} (the unit all-ones vector plus e_0), which maps e_0
   * onto the all-ones direction. Column j is {@code e_{j+1} - v / (sqrt(M) + 1)}, so entry 0 of
   * {@code B u} is {@code -sum(u) / sqrt(M)} and entry p &ge; 1 is {@code u_{p-1} - sum(u) / (M +
   * sqrt(M))}: O(M), where the matrix would take O(M^2).
   */
  private static double[] inBasis(double[] u, int players) {
    double root = Math.sqrt(players);
    double sum = 0;
    for (double value : u) {
      sum += value;
    }
    double[] v = new double[players];
    v[0] = -sum / root;
    double shared = sum / (players + root);
    for (int p = 1; p < players; p++) {
      v[p] = u[p - 1] - shared;
    }
    return v;
  }

}
