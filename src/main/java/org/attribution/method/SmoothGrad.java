package org.attribution.method;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;

/**
 * SmoothGrad (Smilkov, Thorat, Kim, Viegas and Wattenberg, 2017) and its variants, Captum's
 * {@code NoiseTunnel}: a gradient method applied to {@code samples} noisy copies {@code x + e_j}
 * of each row, with independent {@code e_j,c ~ N(0, noiseStd_c^2)} per column, and its per-player
 * values a_j aggregated per {@link Aggregate}: their mean (SmoothGrad), the mean of their squares
 * (SmoothGrad squared) or their variance, {@code mean(a^2) - mean(a)^2} (VarGrad, Adebayo et al.
 * 2018). Players of several columns are aggregated after the wrapped method sums their columns.
 *
 * <p>Noise for row r comes from {@code new SplittableRandom(rowSeeds[r])}, copy by copy and column
 * by column, so a row's copies do not depend on its batch. The copies of a group of rows are
 * explained in one call of the wrapped method, which packs them into its own model calls.
 *
 * <p>Outputs are f(x) of the row itself; references the mean of the wrapped method's references
 * over the copies (f(baseline) for input x gradient and Integrated Gradients, the copies' own
 * outputs for saliency). Completeness is not expected: the mean of Integrated Gradients over the
 * copies adds up to the mean of {@code f(x + e) - f(baseline)}, not to {@code f(x) - f(baseline)}.
 *
 * <p>Cost per row: {@code samples} times the wrapped method's cost, plus one forward pass.
 * Immutable if the wrapped method is; may then be shared by threads.
 */
public final class SmoothGrad implements AttributionMethod {

  /** How the wrapped method's values over the copies are combined. */
  public enum Aggregate {
    MEAN,
    MEAN_SQUARE,
    VARIANCE;

    /**
     * The aggregate named {@code id} in the job file ({@code mean}, {@code mean_square}, {@code
     * variance}).
     *
     * @throws IllegalArgumentException for another name
     */
    public static Aggregate fromId(String id) {
      for (Aggregate aggregate : values()) {
        if (aggregate.name().toLowerCase(Locale.ROOT).equals(id)) {
          return aggregate;
        }
      }
      throw new IllegalArgumentException("unknown SmoothGrad aggregate '" + id + "'");
    }
  }

  private final AttributionMethod wrapped;
  private final ModelFunction model;
  private final double[] noiseStd;
  private final int samples;
  private final Aggregate aggregate;
  private final int groupRows;
  private final int width;

  /**
   * @param wrapped the gradient method applied to each noisy copy, bound to {@code model}
   * @param model the model, for f(x) and its widths
   * @param noiseStd the noise's standard deviation per input column (0 leaves a column as it is)
   * @param samples noisy copies per row
   * @param aggregate how the copies' values are combined
   * @param maxEvaluationRows the most rows passed to one model call; a group of rows whose copies
   *     fill about one such call is explained at a time
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public SmoothGrad(AttributionMethod wrapped, ModelFunction model, double[] noiseStd, int samples,
      Aggregate aggregate, int maxEvaluationRows) {
    this.wrapped = Objects.requireNonNull(wrapped, "wrapped");
    this.model = Objects.requireNonNull(model, "model");
    this.aggregate = Objects.requireNonNull(aggregate, "aggregate");
    this.width = model.inputWidth();
    if (noiseStd.length != width) {
      throw new IllegalArgumentException("Cannot compute SmoothGrad: the noise scale has " + noiseStd.length
          + " columns but the model takes " + width);
    }
    for (int c = 0; c < width; c++) {
      if (!(noiseStd[c] >= 0) || Double.isInfinite(noiseStd[c])) {
        throw new IllegalArgumentException(
            "Cannot compute SmoothGrad: the noise of column " + c + " must be finite and non-negative, got "
                + noiseStd[c]);
      }
    }
    if (samples < 1) {
      throw new IllegalArgumentException("Cannot compute SmoothGrad: samples must be at least 1, got " + samples);
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException(
          "Cannot compute SmoothGrad: maxEvaluationRows must be at least 1, got " + maxEvaluationRows);
    }
    this.noiseStd = noiseStd.clone();
    this.samples = samples;
    this.groupRows = Math.max(1, maxEvaluationRows / samples);
    Batches.checkCallSize("compute SmoothGrad", (long) groupRows * samples, width);
  }

  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    Batches.check(width, model.outputWidth(), inputs, rows, targets, rowSeeds);
    double[] values = null;
    double[] outputs = new double[rows];
    double[] references = new double[rows];
    int players = 0;
    for (int first = 0; first < rows; first += groupRows) {
      int n = Math.min(groupRows, rows - first);
      float[] copies = new float[n * samples * width];
      int[] copyTargets = new int[n * samples];
      for (int i = 0; i < n; i++) {
        int r = first + i;
        SplittableRandom random = new SplittableRandom(rowSeeds[r]);
        for (int j = 0; j < samples; j++) {
          int out = (i * samples + j) * width;
          for (int c = 0; c < width; c++) {
            double x = inputs[r * width + c];
            copies[out + c] = (float) (noiseStd[c] > 0 ? x + noiseStd[c] * random.nextGaussian() : x);
          }
          copyTargets[i * samples + j] = targets[r];
        }
      }
      Attributions perCopy = wrapped.attribute(copies, n * samples, copyTargets);
      if (values == null) {
        players = perCopy.players();
        values = new double[rows * players];
      }
      for (int i = 0; i < n; i++) {
        int r = first + i;
        for (int p = 0; p < players; p++) {
          values[r * players + p] = combine(perCopy, i * samples, p);
        }
        double reference = 0;
        for (int j = 0; j < samples; j++) {
          reference += perCopy.references()[i * samples + j];
        }
        references[r] = reference / samples;
      }
      float[] rowOutputs = model.forward(Arrays.copyOfRange(inputs, first * width, (first + n) * width), n);
      int outputWidth = model.outputWidth();
      if (rowOutputs.length != n * outputWidth) {
        throw new IllegalStateException("Cannot compute SmoothGrad: the model returned " + rowOutputs.length
            + " outputs for " + n + " rows of " + outputWidth);
      }
      for (int i = 0; i < n; i++) {
        outputs[first + i] = rowOutputs[i * outputWidth + targets[first + i]];
      }
    }
    return new Attributions(rows, players, values, outputs, references);
  }

  /** The aggregate of player p's values over the copies that start at {@code firstCopy}. */
  private double combine(Attributions perCopy, int firstCopy, int p) {
    double sum = 0;
    double sumOfSquares = 0;
    for (int j = 0; j < samples; j++) {
      double a = perCopy.value(firstCopy + j, p);
      sum += a;
      sumOfSquares += a * a;
    }
    double mean = sum / samples;
    return switch (aggregate) {
      case MEAN -> mean;
      case MEAN_SQUARE -> sumOfSquares / samples;
      case VARIANCE -> {
        // Two passes: mean(a^2) - mean^2 cancels when the values barely vary around a large mean.
        double squaredDeviations = 0;
        for (int j = 0; j < samples; j++) {
          double d = perCopy.value(firstCopy + j, p) - mean;
          squaredDeviations += d * d;
        }
        yield squaredDeviations / samples;
      }
    };
  }
}
