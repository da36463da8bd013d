package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Named;

/**
 * Models, backgrounds and expected values shared by the tests of the SHAP methods.
 *
 * <p>Backgrounds and inputs hold dyadic values and weights where a test needs exact arithmetic, so
 * that a linear model's outputs are exact in float and its Shapley values exact in double.
 */
final class ShapleyFixtures {

  private ShapleyFixtures() {}

  /** One background row of {@code width} columns. */
  static Background oneRow(int width) {
    return Background.uniform(backgroundRows(width, 1), 1, width);
  }

  /** Three background rows of equal weight. */
  static Background threeEqualRows(int width) {
    return Background.uniform(backgroundRows(width, 3), 3, width);
  }

  /**
   * Four background rows weighted 1/2, 1/4, 1/4 and 0; the last, which no method may use, lies far
   * from the others so that using it shows in any result.
   */
  static Background weightedRows(int width) {
    float[] rows = backgroundRows(width, 4);
    Arrays.fill(rows, 3 * width, 4 * width, 64);
    return new Background(rows, 4, width, new double[] {2, 1, 1, 0});
  }

  /** The three backgrounds above, named for parameterized tests. */
  static List<Named<Background>> backgrounds(int width) {
    return List.of(
        Named.of("one row", oneRow(width)),
        Named.of("three equal rows", threeEqualRows(width)),
        Named.of("four rows weighted 1/2, 1/4, 1/4, 0", weightedRows(width)));
  }

  /** The first {@code count} of the same four rows for every background of a width. */
  private static float[] backgroundRows(int width, int count) {
    return Arrays.copyOf(randomRows(4, width, 17 + width), count * width);
  }

  /**
   * {@code rows x width} values in [-2, 2] on a grid of 1/64, so that sums of a few products of
   * them and of dyadic weights are exact in float.
   */
  static float[] randomRows(int rows, int width, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] values = new float[rows * width];
    for (int i = 0; i < values.length; i++) {
      values[i] = random.nextInt(-128, 129) / 64f;
    }
    return values;
  }

  /** Row seeds 1000 + r: fixed, and different for every row. */
  static long[] seeds(int rows) {
    return IntStream.range(0, rows).mapToLong(r -> 1000L + r).toArray();
  }

  /**
   * {@link AnalyticModels#tanhNetwork} with {@code inputs} inputs, 8 hidden units and {@code
   * outputs} outputs, weights drawn from {@code seed} at a scale where the tanh is neither linear
   * nor saturated on inputs in [-2, 2].
   */
  static ModelFunction tanhNetwork(int inputs, int outputs, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int hidden = 8;
    double[][] w = new double[hidden][inputs];
    double[] a = new double[hidden];
    double[][] v = new double[outputs][hidden];
    double[] d = new double[outputs];
    for (int h = 0; h < hidden; h++) {
      for (int i = 0; i < inputs; i++) {
        w[h][i] = random.nextDouble(-1, 1);
      }
      a[h] = random.nextDouble(-0.5, 0.5);
      for (int j = 0; j < outputs; j++) {
        v[j][h] = random.nextDouble(-2, 2);
      }
    }
    for (int j = 0; j < outputs; j++) {
      d[j] = random.nextDouble(-1, 1);
    }
    return AnalyticModels.tanhNetwork(w, a, v, d);
  }

  /** Weights of {@link #linear}: dyadic, two outputs of five columns. */
  static final double[][] LINEAR_W = {{0.5, -2, 0.25, 1, -0.75}, {-1.5, 0.75, 3, -0.125, 1}};

  /** A linear model of five columns and two outputs, with dyadic weights and biases. */
  static ModelFunction linear() {
    return AnalyticModels.linear(LINEAR_W, new double[] {0.5, -1});
  }

  /**
   * Shapley values of a linear model against any background: {@code phi_p = sum over p's columns c
   * of w_c (x_c - E[b_c])}, E the weighted mean over the background.
   */
  static double[] linearShapley(
      double[][] w, float[] inputs, int rows, int[] targets, Background background, FeatureGroups groups) {
    int width = background.width();
    double[] mean = weightedMean(background);
    double[] perColumn = new double[rows * width];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < width; c++) {
        perColumn[r * width + c] = w[targets[r]][c] * (inputs[r * width + c] - mean[c]);
      }
    }
    return groups.sumByPlayer(perColumn, rows);
  }

  /** The weighted mean of each background column. */
  static double[] weightedMean(Background background) {
    int width = background.width();
    float[] rows = background.rows();
    double[] weights = background.weights();
    double[] mean = new double[width];
    for (int b = 0; b < background.count(); b++) {
      for (int c = 0; c < width; c++) {
        mean[c] += weights[b] * rows[b * width + c];
      }
    }
    return mean;
  }

  /** Linear coefficients of {@link #interaction}. */
  static final double[] INTERACTION_C = {0.5, -0.25, 1, 0.75, -0.5};

  /** {@link AnalyticModels#interaction} with {@link #INTERACTION_C}. */
  static ModelFunction interaction() {
    return AnalyticModels.interaction(INTERACTION_C);
  }

  /**
   * The closed-form Shapley values of {@link AnalyticModels#interaction} (see its javadoc): the
   * weighted mean over background rows of the values against each row alone.
   */
  static double[] interactionShapley(float[] inputs, int rows, Background background) {
    float[] backgroundRows = background.rows();
    double[] weights = background.weights();
    double[] values = new double[rows * 5];
    for (int r = 0; r < rows; r++) {
      double[] x = row(inputs, r, 5);
      for (int b = 0; b < background.count(); b++) {
        double[] against = againstOneRow(x, row(backgroundRows, b, 5));
        for (int p = 0; p < 5; p++) {
          values[r * 5 + p] += weights[b] * against[p];
        }
      }
    }
    return values;
  }

  private static double[] againstOneRow(double[] x, double[] b) {
    double[] phi = new double[5];
    for (int i = 0; i < 5; i++) {
      phi[i] = INTERACTION_C[i] * (x[i] - b[i]);
    }
    phi[0] += (x[0] - b[0]) * (x[1] + b[1]) / 2;
    phi[1] += (x[1] - b[1]) * (x[0] + b[0]) / 2;
    double[] u = {x[1], x[2], Math.sin(x[3])};
    double[] beta = {b[1], b[2], Math.sin(b[3])};
    for (int i = 0; i < 3; i++) {
      int j = (i + 1) % 3;
      int k = (i + 2) % 3;
      double di = u[i] - beta[i];
      double dj = u[j] - beta[j];
      double dk = u[k] - beta[k];
      phi[1 + i] += di * (beta[j] * beta[k] + (dj * beta[k] + beta[j] * dk) / 2 + dj * dk / 3);
    }
    phi[4] += Math.exp(x[4]) - Math.exp(b[4]);
    return phi;
  }

  private static double[] row(float[] values, int r, int width) {
    double[] row = new double[width];
    for (int c = 0; c < width; c++) {
      row[c] = values[r * width + c];
    }
    return row;
  }

  /** Each row's completeness gap. */
  static double[] gaps(Attributions attributions) {
    return IntStream.range(0, attributions.rows()).mapToDouble(attributions::gap).toArray();
  }

  /** Root mean square of {@code actual - expected}. */
  static double rmsError(double[] expected, double[] actual) {
    double sum = 0;
    for (int i = 0; i < expected.length; i++) {
      sum += (actual[i] - expected[i]) * (actual[i] - expected[i]);
    }
    return Math.sqrt(sum / expected.length);
  }

  /** Explains each row in a batch of its own, and joins the results as one batch's would be. */
  static Attributions oneAtATime(
      AttributionMethod method, float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    int width = inputs.length / rows;
    Attributions[] single = new Attributions[rows];
    for (int r = 0; r < rows; r++) {
      single[r] = method.attribute(
          Arrays.copyOfRange(inputs, r * width, (r + 1) * width),
          1,
          new int[] {targets[r]},
          new long[] {rowSeeds[r]});
    }
    int players = single[0].players();
    double[] values = new double[rows * players];
    double[] outputs = new double[rows];
    double[] references = new double[rows];
    double[] errors = single[0].standardErrors() == null ? null : new double[rows * players];
    for (int r = 0; r < rows; r++) {
      System.arraycopy(single[r].values(), 0, values, r * players, players);
      outputs[r] = single[r].outputs()[0];
      references[r] = single[r].references()[0];
      if (errors != null) {
        System.arraycopy(single[r].standardErrors(), 0, errors, r * players, players);
      }
    }
    return new Attributions(rows, players, values, outputs, references, errors);
  }

  /** Asserts that two results agree to the last bit. */
  static void assertIdentical(Attributions expected, Attributions actual, String what) {
    assertArrayEquals(expected.values(), actual.values(), what + ": values");
    assertArrayEquals(expected.outputs(), actual.outputs(), what + ": outputs");
    assertArrayEquals(expected.references(), actual.references(), what + ": references");
    assertArrayEquals(expected.standardErrors(), actual.standardErrors(), what + ": standard errors");
  }
}
