package org.attribution.method;

import java.util.Arrays;
import org.attribution.model.ModelFunction;

/**
 * Permutation importance's model side: the metric's row values of a batch of rows as they are, and
 * with each player's columns taken from another row (its donor under the dataset's permutation).
 *
 * <p>Which row donates to which is the caller's business (the job permutes across the whole
 * dataset); this class only evaluates. Every player of a row is permuted on its own, in a copy of
 * the row with that player's columns, and only those, replaced by the donor's: {@code players}
 * model evaluations per row and repeat, in calls of at most {@code maxEvaluationRows} rows.
 */
public final class PermutationImportance {

  private final ModelFunction model;
  private final FeatureGroups groups;
  private final PermutationMetric metric;
  private final int scored;
  private final int maxEvaluationRows;

  /**
   * @param model the model
   * @param groups which columns each player owns
   * @param metric the metric whose row values are computed
   * @param scored the output that one-output metrics (ROC AUC, MSE) read
   * @param maxEvaluationRows the most rows per model call
   */
  public PermutationImportance(ModelFunction model, FeatureGroups groups, PermutationMetric metric, int scored,
      int maxEvaluationRows) {
    if (groups.columns() != model.inputWidth()) {
      throw new IllegalArgumentException("Cannot permute players: they own " + groups.columns()
          + " columns, the model takes " + model.inputWidth());
    }
    if (scored < 0 || scored >= model.outputWidth()) {
      throw new IllegalArgumentException("Cannot score output " + scored + ": the model has " + model.outputWidth()
          + " outputs");
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException("maxEvaluationRows must be at least 1, got " + maxEvaluationRows);
    }
    this.model = model;
    this.groups = groups;
    this.metric = metric;
    this.scored = scored;
    this.maxEvaluationRows = maxEvaluationRows;
  }

  /** The metric. */
  public PermutationMetric metric() {
    return metric;
  }

  /** Number of players. */
  public int players() {
    return groups.players();
  }

  /**
   * Row values of the rows as they are.
   *
   * @param inputs {@code rows x columns} encoded rows, row-major
   * @param labels each row's label
   * @return one value per row
   */
  public double[] originalValues(float[] inputs, int rows, double[] labels) {
    return values(inputs, rows, labels);
  }

  /**
   * Row values with each player permuted.
   *
   * @param inputs {@code rows x columns} encoded rows, row-major
   * @param donors {@code rows x columns}: row r's donor, the row whose values r's permuted player takes
   * @param labels each row's label (the row's own: the labels are never permuted)
   * @return {@code rows x players} values, row-major: value {@code [r * players + p]} is row r's
   *     with player p's columns from its donor
   */
  public double[] permutedValues(float[] inputs, float[] donors, int rows, double[] labels) {
    int columns = groups.columns();
    int players = groups.players();
    int[] playerOfColumn = groups.playerOfColumn();
    Batches.checkCallSize("permute players", (long) rows * players, columns);
    float[] copies = new float[rows * players * columns];
    double[] copyLabels = new double[rows * players];
    for (int r = 0; r < rows; r++) {
      for (int p = 0; p < players; p++) {
        int copy = (r * players + p) * columns;
        System.arraycopy(inputs, r * columns, copies, copy, columns);
        for (int c = 0; c < columns; c++) {
          if (playerOfColumn[c] == p) {
            copies[copy + c] = donors[r * columns + c];
          }
        }
        copyLabels[r * players + p] = labels[r];
      }
    }
    return values(copies, rows * players, copyLabels);
  }

  private double[] values(float[] inputs, int rows, double[] labels) {
    int columns = groups.columns();
    int width = model.outputWidth();
    double[] values = new double[rows];
    int call = Batches.evenCallSize(rows, maxEvaluationRows);
    for (int from = 0; from < rows; from += call) {
      int n = Math.min(call, rows - from);
      float[] outputs = model.forward(Arrays.copyOfRange(inputs, from * columns, (from + n) * columns), n);
      for (int r = 0; r < n; r++) {
        values[from + r] = metric.rowValue(outputs, r * width, width, scored, labels[from + r]);
      }
    }
    return values;
  }
}
