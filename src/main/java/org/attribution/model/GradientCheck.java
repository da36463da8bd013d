package org.attribution.model;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Checks a model's input gradients against its own outputs, before they are trusted with a whole
 * run: for a few rows, each output (up to {@link #MAX_OUTPUTS}) and a few ±1 directions, the
 * gradient's directional derivative must match a central difference of the outputs along the
 * same direction.
 *
 * <p>Why: the engine computes a gradient with other kernels than the forward pass, and those can
 * be wrong on some processors. libtorch 2.7.1's oneDNN (3.7.1) computes the input gradient of the
 * digits CNN's first convolution with its AVX-512 kernel 50–60% off on an AMD EPYC with AVX-512
 * (a different wrong value from run to run with two threads), while its forward pass is right; with
 * {@code ONEDNN_MAX_CPU_ISA=AVX2} it is right to float precision. Every gradient method would
 * publish such values with confidence. A central difference with a step of 10⁻³ of each value
 * agrees with a right gradient to a few percent even across ReLU kinks (the digits CNN: 1–2%), and
 * misses a wrong one by tens of percent; so the check fails only when the discrepancy summed over
 * every row, output and direction exceeds {@link #TOLERANCE} of the derivatives' summed size.
 * Directions come from a fixed seed, so the verdict is the same on every run.
 */
public final class GradientCheck {

  /** Rows of the data the job checks gradients at. */
  public static final int ROWS = 4;

  /** Outputs checked per row; the first ones, so a thousand-class model costs as much as a small one. */
  static final int MAX_OUTPUTS = 16;

  /** The most input values the check's forward call takes: 16 MB of float32. */
  static final int MAX_VALUES = 1 << 22;

  /** Random ±1 directions per row and output. */
  static final int DIRECTIONS = 3;

  /** The summed discrepancy, as a share of the summed derivatives' size, above which it fails. */
  static final double TOLERANCE = 0.1;

  /** The central difference's step in each column, as a share of the column's value (or of 1). */
  static final double STEP = 1e-3;

  /** Relative error allowed each float32 output: about 80 units in the last place, more than rounding gives. */
  static final double ROUNDING = 1e-5;

  private static final long SEED = 0x6772616443686bL;

  /** What to do about the one cause seen so far. */
  static final String ADVICE = ". libtorch's oneDNN computes some convolutions' gradients wrongly on CPUs with "
      + "AVX-512: set ONEDNN_MAX_CPU_ISA=AVX2 in the environment of the driver and the executors "
      + "(spark.executorEnv.ONEDNN_MAX_CPU_ISA=AVX2; scripts/submit.sh and scripts/run-local.sh set it)";

  private GradientCheck() {}

  /**
   * What is wrong with the model's gradients at these rows, or null when they agree with its
   * outputs (or are too small everywhere to tell).
   *
   * @param rows {@code count x inputWidth()} values, row-major; rows of the data the run explains
   *     test what the run will compute
   */
  public static String problem(ModelFunction model, float[] rows, int count) {
    int width = model.inputWidth();
    // Wide inputs (images) check fewer rows and outputs, so that the calls stay small.
    int maxCases = Math.max(1, MAX_VALUES / (2 * DIRECTIONS * width));
    int checkedRows = Math.min(count, maxCases);
    if (checkedRows == 0) {
      return null;
    }
    int outputs = Math.min(Math.min(model.outputWidth(), MAX_OUTPUTS), Math.max(1, maxCases / checkedRows));
    int cases = checkedRows * outputs;
    float[] repeated = new float[cases * width];
    int[] targets = new int[cases];
    float[] shifted = new float[2 * cases * DIRECTIONS * width];
    SplittableRandom random = new SplittableRandom(SEED);
    for (int c = 0; c < cases; c++) {
      int row = c / outputs;
      System.arraycopy(rows, row * width, repeated, c * width, width);
      targets[c] = c % outputs;
      for (int d = 0; d < DIRECTIONS; d++) {
        int k = c * DIRECTIONS + d;
        for (int i = 0; i < width; i++) {
          float x = rows[row * width + i];
          // Each column's own scale: unscaled columns (an income in dollars) next to one-hot ones.
          double step = (random.nextBoolean() ? STEP : -STEP) * Math.max(1, Math.abs(x));
          shifted[2 * k * width + i] = (float) (x + step);
          shifted[(2 * k + 1) * width + i] = (float) (x - step);
        }
      }
    }
    float[] gradients = model.gradient(repeated, cases, targets, null);
    float[] values = model.forward(shifted, 2 * cases * DIRECTIONS);
    int outputWidth = model.outputWidth();
    double discrepancy = 0;
    double size = 0;
    double worst = 0;
    String worstCase = null;
    for (int c = 0; c < cases; c++) {
      for (int d = 0; d < DIRECTIONS; d++) {
        int k = c * DIRECTIONS + d;
        // The gradient times the move the central difference measures: half the difference
        // between the two shifted rows as float32 holds them.
        double analytic = 0;
        for (int i = 0; i < width; i++) {
          double move = ((double) shifted[2 * k * width + i] - shifted[(2 * k + 1) * width + i]) / 2;
          analytic += gradients[c * width + i] * move;
        }
        double up = values[2 * k * outputWidth + targets[c]];
        double down = values[(2 * k + 1) * outputWidth + targets[c]];
        double numeric = (up - down) / 2;
        if (!Double.isFinite(analytic) || !Double.isFinite(numeric)) {
          continue; // the explain stage rejects such rows with their reason
        }
        // What float32 rounding of the two outputs alone can move the difference by (generously),
        // so that changes too small to measure never count against the model.
        double noise = ROUNDING * (Math.abs(up) + Math.abs(down)) / 2;
        double gap = Math.max(0, Math.abs(analytic - numeric) - noise);
        discrepancy += gap;
        size += (Math.abs(analytic) + Math.abs(numeric)) / 2;
        if (gap > worst) {
          worst = gap;
          worstCase = String.format(Locale.ROOT, "row %d, output %d: %.6g against %.6g", c / outputs,
              targets[c], analytic, numeric);
        }
      }
    }
    if (discrepancy > TOLERANCE * size) {
      return String.format(Locale.ROOT,
          "the model's input gradients disagree with its outputs: along %d random directions the gradient "
              + "predicts changes that differ from the outputs' central differences by %.0f%% of their size "
              + "(largest: %s)", cases * DIRECTIONS, 100 * discrepancy / size, worstCase) + ADVICE;
    }
    return null;
  }
}
