package org.attribution.method;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;

/**
 * Tabular LIME (Ribeiro, Singh and Guestrin, 2016) over players: a weighted ridge regression of
 * the model on which players of the row are switched on, fitted to perturbed copies of the row.
 * The attribution of a player is its coefficient: the surrogate's estimate of what switching the
 * player on, from background values to the row's, adds to the output.
 *
 * <p>Copy 0 is the row itself (every player on, as the lime library does). Each further copy j
 * draws, in this order from {@code new SplittableRandom(rowSeeds[r])}: the number k of players to
 * switch off, uniform on 1..players; which k, uniformly; and one background row by its weight, from
 * which the switched-off players' columns are taken. Its coalition vector z_j holds 1 for a player
 * on, 0 for off.
 *
 * <p>Kernel: {@code pi_j = exp(-d_j^2 / width^2)} with d_j the Euclidean distance between z_j and
 * the all-on vector, that is {@code d_j^2 = k}. This is the lime library's choice for the binary
 * representation of text and image explainers; for tabular data with discretisation off, lime
 * measures distance on the standardised perturbed values instead, which for mixed numeric and
 * one-hot features and a background drawn from the data has no common scale. Note that lime's
 * own kernel is {@code sqrt(exp(-d^2 / width^2))}, the same kernel at {@code width / sqrt(2)}.
 *
 * <p>Fit: {@code min sum_j pi_j (y_j - b0 - beta . z_j)^2 + alpha |beta|^2} with an unpenalised
 * intercept (scikit-learn's {@code Ridge}, which lime uses), solved by centring on the weighted
 * means and a Cholesky factorisation. {@link Fit#rSquared} is the weighted R^2 of the fit, as
 * lime's {@code score}. For a linear model and a one-row background the surrogate is exact: the
 * coefficients are {@code w_i (x_i - b_i)} up to the ridge's shrinkage, and R^2 is 1.
 *
 * <p>Outputs are f(x) and references the base value (the weighted mean of the model over the
 * background). The coefficients add up to the surrogate's all-on minus all-off prediction, not to
 * {@code f(x) - reference}: completeness is not expected of LIME.
 *
 * <p>Cost per row: {@code samples} model evaluations, in forward calls of at most {@code
 * maxEvaluationRows} rows that never mix rows (see {@link CoalitionEvaluator}). Immutable; may be
 * shared by threads.
 */
public final class Lime implements AttributionMethod {

  /**
   * Attributions with the surrogate's goodness of fit.
   *
   * @param attributions the coefficients of each row's surrogate
   * @param rSquared the weighted R^2 of each row's surrogate
   */
  public record Fit(Attributions attributions, double[] rSquared) {}

  private final BackgroundExplainer explainer;
  private final int samples;
  private final double kernelWidth;
  private final double alpha;
  private final int[] playerOfColumn;
  private final double[] cumulative;
  private final int chunkRows;

  /**
   * @param model the model to explain
   * @param background where switched-off players take their values
   * @param groups how input columns map onto players
   * @param samples copies per row, the row itself included; at least 2
   * @param kernelWidth the kernel's width, positive
   * @param alpha the ridge penalty, positive
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public Lime(ModelFunction model, Background background, FeatureGroups groups, int samples, double kernelWidth,
      double alpha, int maxEvaluationRows) {
    this.explainer = new BackgroundExplainer("compute LIME", model, background, groups, maxEvaluationRows);
    if (samples < 2) {
      throw new IllegalArgumentException("Cannot compute LIME: samples must be at least 2, got " + samples);
    }
    if (!(kernelWidth > 0) || Double.isInfinite(kernelWidth)) {
      throw new IllegalArgumentException("Cannot compute LIME: the kernel width must be positive, got " + kernelWidth);
    }
    if (!(alpha > 0) || Double.isInfinite(alpha)) {
      throw new IllegalArgumentException("Cannot compute LIME: alpha must be positive, got " + alpha);
    }
    this.samples = samples;
    this.kernelWidth = kernelWidth;
    this.alpha = alpha;
    this.playerOfColumn = groups.playerOfColumn();
    this.chunkRows = Batches.evenCallSize(samples, maxEvaluationRows);
    Batches.checkCallSize("compute LIME", chunkRows, explainer.width);
    double[] weights = background.weights();
    this.cumulative = new double[weights.length];
    double sum = 0;
    for (int b = 0; b < weights.length; b++) {
      sum += weights[b];
      cumulative[b] = sum;
    }
  }

  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    Fit fit = explain(inputs, rows, targets, rowSeeds);
    return fit.attributions().withFitRSquared(fit.rSquared());
  }

  /** As {@link #attribute}, with each row's R^2. */
  public Fit explain(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    explainer.checkBatch(inputs, rows, targets, rowSeeds);
    int players = explainer.players();
    double[] values = new double[rows * players];
    double[] outputs = new double[rows];
    double[] rSquared = new double[rows];
    boolean[] on = new boolean[samples * players];
    double[] y = new double[samples];
    for (int r = 0; r < rows; r++) {
      evaluateCopies(inputs, r, targets[r], new SplittableRandom(rowSeeds[r]), on, y);
      outputs[r] = y[0];
      rSquared[r] = fit(on, y, values, r * players);
    }
    return new Fit(new Attributions(rows, players, values, outputs, explainer.references(rows, targets)), rSquared);
  }

  /** Draws row r's copies, their coalitions into {@code on}, and evaluates them into {@code y}. */
  private void evaluateCopies(float[] inputs, int r, int target, SplittableRandom random, boolean[] on, double[] y) {
    int width = explainer.width;
    int players = explainer.players();
    int outputWidth = explainer.outputWidth;
    int[] order = new int[players];
    float[] chunk = new float[chunkRows * width];
    for (int first = 0; first < samples; first += chunkRows) {
      int n = Math.min(chunkRows, samples - first);
      for (int i = 0; i < n; i++) {
        int j = first + i;
        int at = i * width;
        if (j == 0) {
          Arrays.fill(on, 0, players, true);
          System.arraycopy(inputs, r * width, chunk, at, width);
          continue;
        }
        int off = 1 + random.nextInt(players);
        Arrays.setAll(order, p -> p);
        Arrays.fill(on, j * players, (j + 1) * players, true);
        for (int k = 0; k < off; k++) {
          int pick = k + random.nextInt(players - k);
          int swap = order[k];
          order[k] = order[pick];
          order[pick] = swap;
          on[j * players + order[k]] = false;
        }
        explainer.background.copyRow(backgroundRow(random.nextDouble()), chunk, at);
        for (int c = 0; c < width; c++) {
          if (on[j * players + playerOfColumn[c]]) {
            chunk[at + c] = inputs[r * width + c];
          }
        }
      }
      float[] out = explainer.model.forwardHead(chunk, n);
      if (out.length != n * outputWidth) {
        throw new IllegalStateException("Cannot compute LIME: the model returned " + out.length + " outputs for "
            + n + " rows of " + outputWidth);
      }
      for (int i = 0; i < n; i++) {
        y[first + i] = out[i * outputWidth + target];
      }
    }
  }

  /** The background row at cumulative weight {@code u}, skipping rows of zero weight. */
  private int backgroundRow(double u) {
    int b = 0;
    while (b < cumulative.length - 1 && (cumulative[b] <= u || explainer.background.weight(b) == 0)) {
      b++;
    }
    return b;
  }

  /**
   * Fits the weighted ridge regression of y on the coalitions, writes its coefficients into
   * {@code values} at {@code offset} and returns its weighted R^2.
   */
  private double fit(boolean[] on, double[] y, double[] values, int offset) {
    int players = explainer.players();
    if (Arrays.stream(y).allMatch(v -> v == y[0])) {
      // The intercept alone fits a model constant over the copies; a weighted mean that rounds off
      // y would otherwise leave coefficients and an R^2 of rounding error.
      Arrays.fill(values, offset, offset + players, 0);
      return 1;
    }
    double[] pi = new double[samples];
    double total = 0;
    double meanY = 0;
    double[] meanZ = new double[players];
    for (int j = 0; j < samples; j++) {
      int off = 0;
      for (int p = 0; p < players; p++) {
        if (!on[j * players + p]) {
          off++;
        }
      }
      pi[j] = Math.exp(-off / (kernelWidth * kernelWidth));
      total += pi[j];
      meanY += pi[j] * y[j];
      for (int p = 0; p < players; p++) {
        if (on[j * players + p]) {
          meanZ[p] += pi[j];
        }
      }
    }
    meanY /= total;
    for (int p = 0; p < players; p++) {
      meanZ[p] /= total;
    }
    double[] gram = new double[players * players];
    double[] right = new double[players];
    double[] z = new double[players];
    for (int j = 0; j < samples; j++) {
      for (int p = 0; p < players; p++) {
        z[p] = (on[j * players + p] ? 1 : 0) - meanZ[p];
      }
      double dy = y[j] - meanY;
      for (int p = 0; p < players; p++) {
        double weighted = pi[j] * z[p];
        right[p] += weighted * dy;
        for (int q = 0; q <= p; q++) {
          gram[p * players + q] += weighted * z[q];
        }
      }
    }
    for (int p = 0; p < players; p++) {
      gram[p * players + p] += alpha;
    }
    // The ridge term keeps the Gram matrix positive definite.
    double[] beta = Cholesky.factor(gram, players, 0).solve(right);
    double residual = 0;
    double spread = 0;
    for (int j = 0; j < samples; j++) {
      double prediction = meanY;
      for (int p = 0; p < players; p++) {
        prediction += beta[p] * ((on[j * players + p] ? 1 : 0) - meanZ[p]);
      }
      residual += pi[j] * (y[j] - prediction) * (y[j] - prediction);
      spread += pi[j] * (y[j] - meanY) * (y[j] - meanY);
    }
    System.arraycopy(beta, 0, values, offset, players);
    return 1 - residual / spread;
  }

}
