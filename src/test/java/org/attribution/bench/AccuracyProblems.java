package org.attribution.bench;

import ai.djl.Device;
import java.io.DataInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.method.Background;
import org.attribution.method.CoalitionEvaluator;
import org.attribution.method.ExactShapley;
import org.attribution.method.FeatureGroups;
import org.attribution.model.ModelFunction;
import org.attribution.model.OutputTransform;
import org.attribution.model.TorchScriptModel;
import org.attribution.testing.AnalyticModels;

/**
 * Problems with known Shapley values for the accuracy harness, built from {@code data-sample/}: the
 * sample model's "bad" logit, its 22 features grouped into 17 or 20 players, and a k-means
 * background of the whole sample.
 *
 * <p>For every explained row the value {@code v(S)} of every coalition S (all {@code 2^M}) is
 * computed once, in float64, by {@code scripts/accuracy-tables.py} (through the model's first
 * layer being linear: minutes where the TorchScript model through DJL takes hours on two cores),
 * and the exact Shapley values from those by enumeration ({@link ExactShapley#fromCoalitionValues}).
 * The tables are cached under {@code target/accuracy-data}; loading checks a sample of entries
 * against the TorchScript model run through {@link CoalitionEvaluator}. The estimators then run on
 * {@link TableGame}, which answers from the tables, so a budget sweep costs no model evaluations.
 *
 * @param name what the tables call it
 * @param players M
 * @param backgroundRows the background's row count: evaluations per coalition in the real job
 * @param values {@code rows x 2^M} coalition values, row-major, bit p of S for player p
 * @param exact {@code rows x M} exact Shapley values
 */
public record AccuracyProblems(
    String name, int players, int backgroundRows, double[][] values, double[][] exact) {

  /** Row 1 of the model's output: the "bad" logit. */
  static final int TARGET = 1;

  /** The number of explained rows. */
  public int rows() {
    return values.length;
  }

  /**
   * 17 players, the 17 numeric features, a 17-16-2 ReLU MLP that the table script trains on them,
   * 10 rows, a 100-row random background.
   */
  public static AccuracyProblems seventeen(Path cacheDir) {
    return load(cacheDir, "mlp", 17, 10, 100, false);
  }

  /**
   * 20 players, the 17 numeric features with term, verification_status and emp_length, a 34-16-2
   * ReLU MLP, 8 rows, a 10-centroid k-means background.
   */
  public static AccuracyProblems twenty(Path cacheDir) {
    return load(cacheDir, "mlp", 20, 8, 10, true);
  }

  /** The sample model with its 22 features grouped into 17 players, 12 rows, k-means 10. */
  public static AccuracyProblems sampleSeventeen(Path cacheDir) {
    return load(cacheDir, "sample", 17, 12, 10, true);
  }

  /** The sample model with its 22 features grouped into 20 players, 6 rows, k-means 3. */
  public static AccuracyProblems sampleTwenty(Path cacheDir) {
    return load(cacheDir, "sample", 20, 6, 3, true);
  }

  /**
   * A quick analytic problem, built in seconds: a {@code players}-16-1 tanh network on inputs in
   * [-2, 2] against a 4-row background, with weights at a scale where players interact strongly.
   */
  public static AccuracyProblems tanh(int players, int rows, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int hidden = 16;
    double[][] w = new double[hidden][players];
    double[] a = new double[hidden];
    double[][] v = new double[1][hidden];
    for (int h = 0; h < hidden; h++) {
      for (int i = 0; i < players; i++) {
        w[h][i] = random.nextDouble(-1, 1) / Math.sqrt(players) * 2;
      }
      a[h] = random.nextDouble(-0.5, 0.5);
      v[0][h] = random.nextDouble(-2, 2);
    }
    ModelFunction model = AnalyticModels.tanhNetwork(w, a, v, new double[] {0});
    float[] background = new float[4 * players];
    float[] explained = new float[rows * players];
    for (int i = 0; i < background.length; i++) {
      background[i] = (float) random.nextDouble(-2, 2);
    }
    for (int i = 0; i < explained.length; i++) {
      explained[i] = (float) random.nextDouble(-2, 2);
    }
    return fromModel(players + "-16-1 tanh network, 4-row background", model,
        Background.uniform(background, 4, players), FeatureGroups.identity(players), explained, rows);
  }

  /** Every coalition's value for each row by the model itself, and the exact values from them. */
  static AccuracyProblems fromModel(String name, ModelFunction model, Background background,
      FeatureGroups groups, float[] explained, int rows) {
    int players = groups.players();
    int width = model.inputWidth();
    CoalitionEvaluator evaluator = new CoalitionEvaluator(model, background, groups, 1 << 16);
    int subsets = 1 << players;
    boolean[] masks = new boolean[subsets * players];
    for (int s = 0; s < subsets; s++) {
      for (int p = 0; p < players; p++) {
        masks[s * players + p] = (s & (1 << p)) != 0;
      }
    }
    double[][] values = new double[rows][];
    double[][] exact = new double[rows][];
    for (int r = 0; r < rows; r++) {
      values[r] = evaluator.evaluate(
          Arrays.copyOfRange(explained, r * width, (r + 1) * width), 1, new int[] {0}, masks, subsets);
      exact[r] = ExactShapley.fromCoalitionValues(values[r], players);
    }
    return new AccuracyProblems(name, players, background.count(), values, exact);
  }

  /** A problem, from the cache or built by scripts/accuracy-tables.py. */
  static AccuracyProblems load(
      Path cacheDir, String kind, int players, int rows, int backgroundRows, boolean kmeans) {
    String background = backgroundRows + (kmeans ? "k" : "b");
    Path file = cacheDir.resolve(kind + "-" + players + "p-" + rows + "r-" + background + ".bin");
    if (!Files.isRegularFile(file)) {
      build(file, kind, players, rows, backgroundRows, kmeans);
    }
    Path modelFile = kind.equals("mlp")
        ? Path.of(file + ".pt") : Path.of("data-sample/model/lending_club_mlp.pt");
    String name = (kind.equals("mlp") ? "trained MLP" : "sample model") + ", " + players + " players, "
        + (kmeans ? "k-means " + backgroundRows : backgroundRows + "-row") + " background";
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20))) {
      int count = in.readInt();
      int backgroundCount = in.readInt();
      int width = in.readInt();
      if (in.readInt() != players) {
        throw new IllegalStateException(file + " is not a " + players + "-player table");
      }
      int[] playerOfColumn = new int[width];
      for (int c = 0; c < width; c++) {
        playerOfColumn[c] = in.readInt();
      }
      double[] weights = readDoubles(in, backgroundCount);
      float[] backgroundValues = toFloats(readDoubles(in, backgroundCount * width));
      float[] explained = toFloats(readDoubles(in, count * width));
      double[][] values = new double[count][];
      double[][] exact = new double[count][];
      for (int r = 0; r < count; r++) {
        values[r] = readDoubles(in, 1 << players);
        exact[r] = ExactShapley.fromCoalitionValues(values[r], players);
      }
      AccuracyProblems problem = new AccuracyProblems(name, players, backgroundCount, values, exact);
      problem.check(modelFile, new Background(backgroundValues, backgroundCount, width, weights),
          new FeatureGroups(playerOfColumn, players), explained);
      return problem;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Table entries checked against the TorchScript model per problem. */
  static final int CHECKED = 64;

  /**
   * Checks random table entries against the TorchScript model (float32, so to a tolerance of 1e-4
   * of the output scale): the tables' shortcut through the first layer must not change a value.
   */
  void check(Path modelFile, Background background, FeatureGroups groups, float[] explained) {
    SplittableRandom random = new SplittableRandom(players);
    int width = background.width();
    try (TorchScriptModel model =
        TorchScriptModel.load(modelFile, Device.cpu(), OutputTransform.IDENTITY, width)) {
      CoalitionEvaluator evaluator = new CoalitionEvaluator(model, background, groups, 4096);
      for (int i = 0; i < CHECKED; i++) {
        int row = random.nextInt(values.length);
        int subset = random.nextInt(1 << players);
        boolean[] mask = new boolean[players];
        for (int p = 0; p < players; p++) {
          mask[p] = (subset & (1 << p)) != 0;
        }
        double value = evaluator.evaluate(
            Arrays.copyOfRange(explained, row * width, (row + 1) * width), 1, new int[] {TARGET}, mask, 1)[0];
        double expected = values[row][subset];
        if (!(Math.abs(value - expected) <= 1e-4 * Math.max(1, Math.abs(expected)))) {
          throw new IllegalStateException("Accuracy table " + name + " disagrees with the model at row " + row
              + ", coalition " + subset + ": table " + expected + ", model " + value);
        }
      }
    }
  }

  private static void build(Path file, String kind, int players, int rows, int backgroundRows, boolean kmeans) {
    try {
      Files.createDirectories(file.getParent());
      System.err.printf("Building %s (exact Shapley values by enumeration; minutes)...%n", file);
      Process process = new ProcessBuilder("/usr/bin/python3", "scripts/accuracy-tables.py", file.toString(), kind,
          Integer.toString(players), Integer.toString(rows), Integer.toString(backgroundRows), kmeans ? "1" : "0",
          "20261201")
          .inheritIO().start();
      if (process.waitFor() != 0) {
        throw new IllegalStateException("scripts/accuracy-tables.py failed for " + file
            + " (it needs /usr/bin/python3 with torch: Debian's python3-torch)");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static double[] readDoubles(DataInputStream in, int n) throws IOException {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = in.readDouble();
    }
    return out;
  }

  private static float[] toFloats(double[] values) {
    float[] out = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (float) values[i];
    }
    return out;
  }
}
