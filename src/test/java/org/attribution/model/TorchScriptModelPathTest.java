package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.attribution.testing.OtherGradient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * libtorch's path gradients ({@link TorchScriptModel#pathGradientsInLibtorch}: points, steps and
 * per-player sums built next to the gradient call, what a GPU runs) against the definition,
 * computed here from the model's own {@link ModelFunction#gradient}, on the sample MLP, the digits
 * CNN and the linear model in float32 and float64; and a point's sums do not depend on the other
 * points of its call. They run on the CPU: the operations are the same on any device.
 */
class TorchScriptModelPathTest {

  private static final Path SAMPLE_MODEL = Path.of("data-sample/model/lending_club_mlp.pt");
  private static final int SAMPLE_WIDTH = 119;
  private static final int POINTS = 300;

  /** Random paths: 6 end rows, 9 start rows, points anywhere on them, every output a target. */
  private static PathPoints paths(int width, int outputs, double scale, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] ends = new double[6 * width];
    double[] starts = new double[9 * width];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = (float) (scale * random.nextGaussian());
    }
    for (int i = 0; i < starts.length; i++) {
      starts[i] = (float) (scale * random.nextGaussian());
    }
    int[] endOf = new int[POINTS];
    int[] startOf = new int[POINTS];
    double[] alphas = new double[POINTS];
    int[] targets = new int[POINTS];
    for (int k = 0; k < POINTS; k++) {
      endOf[k] = random.nextInt(6);
      startOf[k] = random.nextInt(9);
      alphas[k] = random.nextDouble();
      targets[k] = random.nextInt(outputs);
    }
    return new PathPoints(ends, starts, endOf, startOf, alphas, targets, POINTS);
  }

  /**
   * The definition, from one gradient call: per point, each player's sum in column order, then
   * the sum of the point's absolute products, the scale its rounding is measured against.
   */
  private static double[][] expected(ModelFunction model, PathPoints paths, int[] playerOfColumn, int players) {
    int width = model.inputWidth();
    int count = paths.count();
    float[] points = new float[count * width];
    for (int k = 0; k < count; k++) {
      for (int c = 0; c < width; c++) {
        double start = paths.starts()[paths.startOf()[k] * width + c];
        double end = paths.ends()[paths.endOf()[k] * width + c];
        points[k * width + c] = (float) (start + paths.alphas()[k] * (end - start));
      }
    }
    float[] gradients = model.gradient(points, count, paths.targets(), null);
    double[][] sumsAndScale = new double[count][players + 1];
    for (int k = 0; k < count; k++) {
      for (int c = 0; c < width; c++) {
        double start = paths.starts()[paths.startOf()[k] * width + c];
        double product = (paths.ends()[paths.endOf()[k] * width + c] - start) * gradients[k * width + c];
        sumsAndScale[k][playerOfColumn[c]] += product;
        sumsAndScale[k][players] += Math.abs(product);
      }
    }
    return sumsAndScale;
  }

  /** The path gradients agree with the definition to float64 rounding of each point's sums. */
  private static void assertDefinition(TorchScriptModel model, PathPoints paths, int[] playerOfColumn, int players) {
    double[] sums = model.pathGradientsInLibtorch(paths, playerOfColumn, players);
    double[][] expected = expected(model, paths, playerOfColumn, players);
    assertEquals(paths.count() * players, sums.length);
    double largest = 0;
    for (int k = 0; k < paths.count(); k++) {
      double scale = expected[k][players];
      assertTrue(scale > 0, "point " + k + " has gradients");
      for (int q = 0; q < players; q++) {
        double error = Math.abs(sums[k * players + q] - expected[k][q]);
        assertTrue(error <= 1e-13 * scale, "point " + k + ", player " + q + ": " + sums[k * players + q]
            + " against " + expected[k][q] + " (products' absolute sum " + scale + ")");
        largest = Math.max(largest, expected[k][q]);
      }
    }
    assertTrue(largest > 0);
  }

  /** Columns in player order, players of 1 to 13 columns. */
  private static int[] contiguous(int width, int players) {
    int[] playerOfColumn = new int[width];
    for (int c = 0; c < width; c++) {
      playerOfColumn[c] = Math.min(players - 1, (int) ((long) c * c * players / ((long) width * width)));
    }
    return playerOfColumn;
  }

  /** Columns dealt to players out of order, one player left without a column. */
  private static int[] interleaved(int width, int players) {
    int[] playerOfColumn = new int[width];
    for (int c = 0; c < width; c++) {
      playerOfColumn[c] = (c * 7) % (players - 1);
    }
    return playerOfColumn;
  }

  @Test
  void theSampleMlpsPathGradientsAreTheDefinitions() {
    try (TorchScriptModel model = TorchScriptModel.load(SAMPLE_MODEL, Device.cpu(), OutputTransform.SOFTMAX,
        SAMPLE_WIDTH)) {
      PathPoints paths = paths(SAMPLE_WIDTH, model.outputWidth(), 2, 11);
      assertDefinition(model, paths, contiguous(SAMPLE_WIDTH, 12), 12);
      int[] interleaved = interleaved(SAMPLE_WIDTH, 13);
      assertDefinition(model, paths, interleaved, 13);
      double[] sums = model.pathGradientsInLibtorch(paths, interleaved, 13);
      for (int k = 0; k < POINTS; k++) {
        assertEquals(0.0, sums[k * 13 + 12], "the player without columns");
      }
      assertDefinition(model, paths.range(0, 5), contiguous(SAMPLE_WIDTH, 12), 12);
    }
  }

  @Test
  void theDigitsCnnsPathGradientsAreTheDefinitions() throws IOException {
    try (TorchScriptModel model = ImageModelTest.load(ImageModelTest.DIGITS_MODEL, OutputTransform.SOFTMAX,
        List.of(1, 8, 8))) {
      PathPoints paths = paths(64, model.outputWidth(), 1, 5);
      assertDefinition(model, paths, contiguous(64, 16), 16);
      assertDefinition(model, paths, interleaved(64, 9), 9);
    }
  }

  /**
   * On the linear model in float32 and in float64, whose gradients are the rows of W: with dyadic
   * rows of few bits every step, product and sum is exact, so the sums must be the closed form's
   * exactly.
   */
  @ParameterizedTest
  @ValueSource(strings = {ModelFixtures.LINEAR, ModelFixtures.LINEAR_FLOAT64})
  void theLinearModelsPathSumsAreExact(String fixture) {
    try (TorchScriptModel model = TorchScriptModel.load(ModelFixtures.path(fixture), Device.cpu(),
        OutputTransform.IDENTITY, 4)) {
      double[] ends = {1, -0.5, 2, 0.25, -1, 1.5, 0, 3};
      double[] starts = {0, 0, 0, 0, 0.5, -0.25, 1, -2};
      int[] endOf = {0, 1, 1, 0};
      int[] startOf = {0, 1, 0, 1};
      int[] targets = {0, 1, 0, 1};
      PathPoints paths = new PathPoints(ends, starts, endOf, startOf, new double[] {0.5, 0.25, 0.75, 1}, targets, 4);
      int[] playerOfColumn = {1, 0, 1, 2};
      double[] expected = new double[4 * 3];
      for (int k = 0; k < 4; k++) {
        for (int c = 0; c < 4; c++) {
          double step = ends[endOf[k] * 4 + c] - starts[startOf[k] * 4 + c];
          expected[k * 3 + playerOfColumn[c]] += step * ModelFixtures.LINEAR_WEIGHT[targets[k]][c];
        }
      }
      assertArrayEquals(expected, model.pathGradientsInLibtorch(paths, playerOfColumn, 3));
      assertArrayEquals(expected, model.pathGradientsOnHost(paths, playerOfColumn, 3));
    }
  }

  /** One of the model's two ways to take path gradients. */
  private interface PathCall {
    double[] sums(TorchScriptModel model, PathPoints paths, int[] playerOfColumn, int players);
  }

  /**
   * In libtorch and on the host alike. On the host the sums are taken two points at a time, so
   * calls of odd and even sizes put a point beside different neighbours, or none.
   */
  @ParameterizedTest
  @ValueSource(strings = {"libtorch", "host"})
  void aPointsSumsDoNotDependOnTheRestOfItsCall(String where) {
    PathCall call = where.equals("host") ? TorchScriptModel::pathGradientsOnHost
        : TorchScriptModel::pathGradientsInLibtorch;
    try (TorchScriptModel model = TorchScriptModel.load(SAMPLE_MODEL, Device.cpu(), OutputTransform.SOFTMAX,
        SAMPLE_WIDTH)) {
      PathPoints paths = paths(SAMPLE_WIDTH, model.outputWidth(), 2, 23);
      int[] playerOfColumn = interleaved(SAMPLE_WIDTH, 12);
      double[] all = call.sums(model, paths, playerOfColumn, 12);
      for (int size : new int[] {1, 7, 33, 100}) {
        for (int from = 0; from + size <= POINTS; from += size) {
          assertArrayEquals(Arrays.copyOfRange(all, from * 12, (from + size) * 12),
              call.sums(model, paths.range(from, from + size), playerOfColumn, 12),
              "points " + from + " to " + (from + size - 1) + " in a call of " + size);
        }
      }
    }
  }

  /**
   * On the CPU the points are built in the call's own memory with the definition's arithmetic in
   * its order, so the sums are the definition's, and the JVM default's, bit for bit: with each
   * path's step computed once for the points on it (300 points on 54 paths), and once per point
   * (3 points, padded to a call of 32, and 33, the last summed alone); with a player's columns in
   * one run, summed in a register, dealt out in runs of three, and one column at a time.
   */
  @Test
  void onTheCpuTheJvmBuildsThePointsAsTheDefinitionDoes() {
    try (TorchScriptModel model = TorchScriptModel.load(SAMPLE_MODEL, Device.cpu(), OutputTransform.SOFTMAX,
        SAMPLE_WIDTH)) {
      PathPoints all = paths(SAMPLE_WIDTH, model.outputWidth(), 2, 31);
      int[] inRunsOfThree = IntStream.range(0, SAMPLE_WIDTH).map(c -> c / 3 % 12).toArray();
      for (int[] playerOfColumn : List.of(contiguous(SAMPLE_WIDTH, 12), inRunsOfThree, interleaved(SAMPLE_WIDTH, 12))) {
        for (PathPoints paths : List.of(all, all.range(0, 3), all.range(0, 33))) {
          double[][] expected = expected(model, paths, playerOfColumn, 12);
          double[] sums = model.pathGradients(paths, playerOfColumn, 12);
          for (int k = 0; k < paths.count(); k++) {
            assertArrayEquals(Arrays.copyOf(expected[k], 12), Arrays.copyOfRange(sums, k * 12, (k + 1) * 12),
                "point " + k + " of " + paths.count());
          }
          ModelFunction plain = new OtherGradient(model, model::gradient);
          assertArrayEquals(plain.pathGradients(paths, playerOfColumn, 12), sums);
        }
      }
    }
  }

  @Test
  void pointsOnRowsThatDoNotExistAreRefused() {
    try (TorchScriptModel model = TorchScriptModel.load(SAMPLE_MODEL, Device.cpu(), OutputTransform.SOFTMAX,
        SAMPLE_WIDTH)) {
      PathPoints paths = paths(SAMPLE_WIDTH, model.outputWidth(), 2, 3);
      int[] endOf = paths.endOf().clone();
      endOf[17] = 6;
      PathPoints wrong = new PathPoints(paths.ends(), paths.starts(), endOf, paths.startOf(), paths.alphas(),
          paths.targets(), POINTS);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.pathGradientsInLibtorch(wrong, contiguous(SAMPLE_WIDTH, 12), 12));
      assertTrue(e.getMessage().contains("point 17 names end row 6 of 6"), e.getMessage());
    }
  }
}
