package org.attribution.method;

import java.util.Arrays;
import java.util.Objects;
import org.attribution.model.ModelFunction;

/**
 * What the SHAP methods share: a model explained against a background, its checked arguments,
 * the base value of every output, and the f(x) and base value each row's attributions are
 * checked against.
 *
 * <p>The base values are the background's own when it carries them, else computed once, at
 * construction, from one pass over the background: they do not depend on the rows explained.
 * Immutable, so it may be shared by threads.
 */
final class BackgroundExplainer {

  /**
   * The most bytes of coalition masks, coalition values and row copies one {@link
   * CoalitionEvaluator#evaluate} call is given, besides the model call it makes.
   */
  private static final long EVALUATION_BYTES = 16L << 20;

  final ModelFunction model;
  final Background background;
  final FeatureGroups groups;
  final int maxEvaluationRows;
  final int width;
  final int outputWidth;
  private final double[] baseValues;

  /**
   * @param action what the method does, for error messages: "Cannot " + action + ": ..."
   * @throws IllegalArgumentException if the background or groups do not fit the model, or
   *     maxEvaluationRows is not positive
   */
  BackgroundExplainer(
      String action,
      ModelFunction model,
      Background background,
      FeatureGroups groups,
      int maxEvaluationRows) {
    this.model = Objects.requireNonNull(model, "model");
    this.background = Objects.requireNonNull(background, "background");
    this.groups = Objects.requireNonNull(groups, "groups");
    this.width = model.inputWidth();
    this.outputWidth = model.outputWidth();
    if (background.width() != width) {
      throw new IllegalArgumentException(
          "Cannot " + action + ": the background has " + background.width()
              + " columns but the model takes " + width);
    }
    if (groups.players() < 1) {
      throw new IllegalArgumentException("Cannot " + action + ": there are no players to explain");
    }
    if (groups.columns() != width) {
      throw new IllegalArgumentException(
          "Cannot " + action + ": the feature groups cover " + groups.columns()
              + " columns but the model takes " + width);
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException(
          "Cannot " + action + ": maxEvaluationRows must be at least 1, got " + maxEvaluationRows);
    }
    this.maxEvaluationRows = maxEvaluationRows;
    double[] given = background.baseValues();
    if (given != null && given.length != outputWidth) {
      throw new IllegalArgumentException(
          "Cannot " + action + ": the background carries " + given.length
              + " base values but the model has " + outputWidth + " outputs");
    }
    this.baseValues = given != null ? given : evaluator().baseValues();
  }

  /** Number of players. */
  int players() {
    return groups.players();
  }

  /** A coalition evaluator over this model, background and grouping. */
  CoalitionEvaluator evaluator() {
    return new CoalitionEvaluator(model, background, groups, maxEvaluationRows);
  }

  /**
   * How many units of work (rows, or sampled permutation pairs of a row) one coalition evaluation
   * should take, so that its masks (a flag per player per coalition), values (a double per
   * coalition) and copies of the explained row stay within a fixed memory budget, however many
   * players and columns there are; at least 1.
   *
   * @param coalitionsPerUnit coalitions each unit evaluates
   */
  int unitsPerEvaluation(int coalitionsPerUnit) {
    long bytesPerUnit =
        (long) coalitionsPerUnit * (players() + Double.BYTES) + (long) width * Float.BYTES;
    return (int) Math.max(1, EVALUATION_BYTES / bytesPerUnit);
  }

  /**
   * Checks that a batch fits the model.
   *
   * @throws IllegalArgumentException if the arrays do not match {@code rows} and the model's
   *     widths, or a target is not an output of the model
   */
  void checkBatch(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    Batches.check(width, outputWidth, inputs, rows, targets, rowSeeds);
  }

  /**
   * f(x) at each row's target, one forward call per row: a row's output must not depend on the
   * rows it is batched with (see {@link CoalitionEvaluator}), and this is one call per row next to
   * the thousands of evaluations the methods spend on it.
   */
  double[] outputs(float[] inputs, int rows, int[] targets) {
    double[] outputs = new double[rows];
    for (int r = 0; r < rows; r++) {
      float[] values = model.forward(Arrays.copyOfRange(inputs, r * width, (r + 1) * width), 1);
      if (values.length != outputWidth) {
        throw new IllegalStateException(
            "Cannot explain rows: the model returned " + values.length + " outputs for 1 row of " + outputWidth);
      }
      outputs[r] = values[targets[r]];
    }
    return outputs;
  }

  /** The base value at each row's target. */
  double[] references(int rows, int[] targets) {
    double[] references = new double[rows];
    for (int r = 0; r < rows; r++) {
      references[r] = baseValues[targets[r]];
    }
    return references;
  }
}
