package org.attribution.method;

import java.util.List;
import java.util.Locale;

/**
 * A measure of a model's quality on labelled rows, for permutation importance.
 *
 * <p>Each metric turns one row's outputs and label into a number ({@link #rowValue}), and a
 * group's numbers into the metric ({@link Accumulator}). The accumulator takes the values in
 * ascending order, each with how many rows share it: ROC AUC needs the order to count the
 * (positive, negative) pairs, and a fixed order makes the means' floating-point sums the same
 * whatever the partitioning.
 */
public enum PermutationMetric {

  /**
   * Mean negative log likelihood of the label. Several outputs: probabilities of the classes
   * (e.g. {@code model.output: softmax}), the label a class index; one output: the probability of
   * class 1, the label 0 or 1. Probabilities are clipped to [1e-15, 1 - 1e-15], as scikit-learn does.
   */
  LOG_LOSS(false, false),
  /**
   * Share of rows whose predicted class is the label: the highest output with several outputs, an
   * output of at least 0.5 (a probability) with one.
   */
  ACCURACY(true, false),
  /**
   * Area under the ROC curve of the scored output against a 0/1 label: the probability that a
   * positive row scores above a negative one, ties counting one half.
   */
  ROC_AUC(true, true),
  /** Mean squared error of the scored output against the label. */
  MSE(false, true);

  /** Ids of every metric, as the job file names them. */
  public static final List<String> IDS = List.of("log_loss", "accuracy", "roc_auc", "mse");

  private static final double CLIP = 1e-15;

  private final boolean higherIsBetter;
  private final boolean scoresOneOutput;

  PermutationMetric(boolean higherIsBetter, boolean scoresOneOutput) {
    this.higherIsBetter = higherIsBetter;
    this.scoresOneOutput = scoresOneOutput;
  }

  /** The metric a job file names. */
  public static PermutationMetric fromId(String id) {
    if (!IDS.contains(id)) {
      throw new IllegalArgumentException("Unknown metric '" + id + "'; expected one of " + IDS);
    }
    return valueOf(id.toUpperCase(Locale.ROOT));
  }

  /** The id as the job file names it. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the metric reads one output (the scored one) rather than all of them. */
  public boolean scoresOneOutput() {
    return scoresOneOutput;
  }

  /**
   * How much worse the model got: positive when permuting hurt it, whichever way the metric runs.
   *
   * @param original the metric on the data as it is
   * @param permuted the metric with a player's values permuted
   */
  public double drop(double original, double permuted) {
    return higherIsBetter ? original - permuted : permuted - original;
  }

  /**
   * One row's value: its loss, its 0/1 correctness, or (ROC AUC) its score.
   *
   * @param outputs the model's outputs, row-major
   * @param offset where this row's outputs start
   * @param width outputs per row
   * @param scored the output that one-output metrics read
   * @param label the row's label
   * @throws IllegalArgumentException for a label the metric cannot take (not a class of the model,
   *     not 0 or 1)
   */
  public double rowValue(float[] outputs, int offset, int width, int scored, double label) {
    return switch (this) {
      case LOG_LOSS -> width == 1 ? binaryLogLoss(outputs[offset], binary(label))
          : -Math.log(clip(outputs[offset + classIndex(label, width)]));
      case ACCURACY -> {
        int predicted = width == 1 ? (outputs[offset] >= 0.5f ? 1 : 0) : Outputs.argmax(outputs, offset, width);
        yield predicted == (width == 1 ? binary(label) : classIndex(label, width)) ? 1 : 0;
      }
      case ROC_AUC -> {
        binary(label);
        yield outputs[offset + scored];
      }
      case MSE -> {
        double error = outputs[offset + scored] - label;
        yield error * error;
      }
    };
  }

  /** Whether a row with this label counts as positive, for ROC AUC; false for every other metric. */
  public boolean positive(double label) {
    return this == ROC_AUC && label == 1;
  }

  /** A fresh accumulator of this metric over one group of rows. */
  public Accumulator accumulator() {
    return new Accumulator(this == ROC_AUC);
  }

  /**
   * The metric of one group of rows, fed in ascending order of value. Rows with equal values may
   * come in several calls, in any order among themselves.
   */
  public static final class Accumulator {
    private final boolean ranked;
    private double sum;
    private long rows;
    // ROC AUC: the run of equal scores being collected, and the negatives below it.
    private double current = Double.NEGATIVE_INFINITY;
    private long runPositives;
    private long runNegatives;
    private long negativesBelow;
    private long positives;
    private double pairs;

    private Accumulator(boolean ranked) {
      this.ranked = ranked;
    }

    /**
     * Adds {@code count} rows of value {@code value}.
     *
     * @throws IllegalArgumentException when {@code value} is below one added before, or not finite
     */
    public void add(double value, boolean positive, long count) {
      if (!Double.isFinite(value)) {
        throw new IllegalArgumentException("Cannot measure the model: it gave a row value of " + value);
      }
      if (value < current) {
        throw new IllegalArgumentException("values must come in ascending order: " + value + " after " + current);
      }
      rows += count;
      if (!ranked) {
        current = value;
        sum += value * count;
        return;
      }
      if (value > current) {
        closeRun();
        current = value;
      }
      if (positive) {
        runPositives += count;
        positives += count;
      } else {
        runNegatives += count;
      }
    }

    private void closeRun() {
      // Each positive of the run beats every negative below it and ties with the run's negatives.
      pairs += runPositives * (negativesBelow + 0.5 * runNegatives);
      negativesBelow += runNegatives;
      runPositives = 0;
      runNegatives = 0;
    }

    /** Rows added. */
    public long rows() {
      return rows;
    }

    /**
     * The metric over the rows added.
     *
     * @throws IllegalArgumentException for ROC AUC without both a positive and a negative row
     */
    public double value() {
      if (rows == 0) {
        throw new IllegalArgumentException("Cannot measure the model on no rows");
      }
      if (!ranked) {
        return sum / rows;
      }
      closeRun();
      long negatives = rows - positives;
      if (positives == 0 || negatives == 0) {
        throw new IllegalArgumentException("Cannot compute ROC AUC: the labels have " + positives + " positive and "
            + negatives + " negative rows; it needs both");
      }
      return pairs / ((double) positives * negatives);
    }
  }

  private static double binaryLogLoss(float probability, int label) {
    double p = clip(probability);
    return label == 1 ? -Math.log(p) : -Math.log1p(-p);
  }

  private static double clip(double p) {
    return Math.min(1 - CLIP, Math.max(CLIP, p));
  }

  private static int binary(double label) {
    if (label != 0 && label != 1) {
      throw new IllegalArgumentException("Cannot use label " + label + ": a model with one output, and ROC AUC,"
          + " need labels 0 or 1");
    }
    return (int) label;
  }

  private static int classIndex(double label, int width) {
    if (label != Math.rint(label) || label < 0 || label >= width) {
      throw new IllegalArgumentException("Cannot use label " + label + ": a model with " + width
          + " outputs needs class indices 0 to " + (width - 1));
    }
    return (int) label;
  }
}
