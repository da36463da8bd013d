package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Test;

class CoalitionEvaluatorTest {

  /**
   * Players own scattered, partly adjacent columns; every coalition of every row must take
   * exactly its players' columns from the row and the rest from each background row. Small
   * integers keep every value exact in float, so the comparison is exact.
   */
  @Test
  void coalitionValuesTakeExactlyThePresentPlayersColumnsWhereverTheyLie() {
    int[] playerOfColumn = {0, 1, 0, 2, 2, 1, 0};
    int players = 3;
    int width = playerOfColumn.length;
    double[] w = {1, 2, 4, 8, 16, 32, 64};
    ModelFunction model = AnalyticModels.linear(new double[][] {w, w}, new double[] {0, 0});
    float[] background = {1, 1, 1, 1, 1, 1, 1, 2, 3, 2, 3, 2, 3, 2};
    float[] inputs = {5, 6, 7, 8, 9, 10, 11, -1, -2, -3, -4, -5, -6, -7};
    int rows = 2;
    int perRow = 1 << players;
    boolean[] masks = new boolean[rows * perRow * players];
    for (int r = 0; r < rows; r++) {
      for (int s = 0; s < perRow; s++) {
        for (int p = 0; p < players; p++) {
          masks[(r * perRow + s) * players + p] = (s >> p & 1) == 1;
        }
      }
    }
    double[] expected = new double[rows * perRow];
    for (int r = 0; r < rows; r++) {
      for (int s = 0; s < perRow; s++) {
        for (int b = 0; b < 2; b++) {
          double f = 0;
          for (int c = 0; c < width; c++) {
            boolean present = (s >> playerOfColumn[c] & 1) == 1;
            f += w[c] * (present ? inputs[r * width + c] : background[b * width + c]);
          }
          expected[r * perRow + s] += f / 2;
        }
      }
    }
    // Calls of 3 rows end inside a coalition's background rows and inside a row's coalitions.
    CoalitionEvaluator evaluator = new CoalitionEvaluator(model, Background.uniform(background, 2, width),
        new FeatureGroups(playerOfColumn, players), 3);
    assertArrayEquals(expected, evaluator.evaluate(inputs, rows, new int[] {0, 1}, masks, perRow));
  }

  /**
   * Rows with coalitions of their own number, none for one of them, get the values each gets alone
   * (the same calls, so the same bits), whatever the other rows of the batch hold. Calls of at most
   * 7 rows over 3 background rows: 3 coalitions make two calls of 5 rows, 2 coalitions one call of
   * 6, a row without coalitions none.
   */
  @Test
  void rowsWithTheirOwnNumberOfCoalitionsGetTheValuesTheyGetAlone() {
    int width = 5;
    RecordingModel model = new RecordingModel(ShapleyFixtures.tanhNetwork(width, 2, 31));
    CoalitionEvaluator evaluator = new CoalitionEvaluator(model, ShapleyFixtures.threeEqualRows(width),
        FeatureGroups.identity(width), 7);
    int[] counts = {3, 0, 2, 1};
    int rows = counts.length;
    float[] inputs = ShapleyFixtures.randomRows(rows, width, 32);
    int[] targets = {1, 0, 1, 0};
    int[] firstCoalition = new int[rows + 1];
    for (int r = 0; r < rows; r++) {
      firstCoalition[r + 1] = firstCoalition[r] + counts[r];
    }
    SplittableRandom random = new SplittableRandom(33);
    boolean[] masks = new boolean[firstCoalition[rows] * width];
    for (int i = 0; i < masks.length; i++) {
      masks[i] = random.nextBoolean();
    }
    double[] together = evaluator.evaluate(inputs, rows, targets, masks, firstCoalition);
    assertEquals(firstCoalition[rows], together.length);
    assertEquals(List.of(5, 4, 6, 3), model.forwardRows());
    for (int r = 0; r < rows; r++) {
      double[] alone = evaluator.evaluate(Arrays.copyOfRange(inputs, r * width, (r + 1) * width), 1,
          new int[] {targets[r]}, Arrays.copyOfRange(masks, firstCoalition[r] * width, firstCoalition[r + 1] * width),
          counts[r]);
      assertArrayEquals(alone, Arrays.copyOfRange(together, firstCoalition[r], firstCoalition[r + 1]), "row " + r);
    }
  }

  /**
   * The evaluator rewrites only the segments that changed since the previous coalition when that
   * takes fewer copies: every model input must still be exactly the row's present columns over the
   * background row, in order, whatever the sequence. The sequence mixes prefix chains (one player
   * joins at a time, as sampling Shapley's orderings), a repeat, players leaving, complements and
   * random coalitions, over two rows, with calls that end inside a coalition's background rows.
   */
  @Test
  void everyModelInputIsItsCoalitionsMaskedRowWhateverTheOrderOfCoalitions() {
    int[] playerOfColumn = {0, 0, 1, 2, 2, 2, 3, 1, 4, 4, 0, 5, 5, 3};
    int players = 6;
    int width = playerOfColumn.length;
    int count = 3;
    SplittableRandom random = new SplittableRandom(7);
    float[] background = new float[count * width];
    for (int i = 0; i < background.length; i++) {
      background[i] = (float) random.nextGaussian();
    }
    int rows = 2;
    float[] inputs = new float[rows * width];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = (float) random.nextGaussian();
    }
    List<boolean[]> sequence = new ArrayList<>();
    boolean[] chain = new boolean[players];
    for (int p : new int[] {3, 0, 5, 1}) {
      chain[p] = true;
      sequence.add(chain.clone());
    }
    sequence.add(chain.clone());
    chain[0] = false;
    sequence.add(chain.clone());
    boolean[] complement = new boolean[players];
    for (int p = 0; p < players; p++) {
      complement[p] = !chain[p];
    }
    sequence.add(complement);
    sequence.add(new boolean[players]);
    for (int k = 0; k < 6; k++) {
      boolean[] any = new boolean[players];
      for (int p = 0; p < players; p++) {
        any[p] = random.nextBoolean();
      }
      sequence.add(any);
    }
    int perRow = sequence.size();
    boolean[] masks = new boolean[rows * perRow * players];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < perRow; k++) {
        // The second row runs the sequence backwards.
        boolean[] coalition = sequence.get(r == 0 ? k : perRow - 1 - k);
        System.arraycopy(coalition, 0, masks, (r * perRow + k) * players, players);
      }
    }
    List<float[]> seen = new ArrayList<>();
    ModelFunction recording = new ModelFunction() {
      @Override
      public int inputWidth() {
        return width;
      }

      @Override
      public int outputWidth() {
        return 1;
      }

      @Override
      public float[] forward(float[] in, int n) {
        for (int i = 0; i < n; i++) {
          seen.add(Arrays.copyOfRange(in, i * width, (i + 1) * width));
        }
        return new float[n];
      }

      @Override
      public float[] gradient(float[] in, int n, int[] targets, float[] outputs) {
        throw new UnsupportedOperationException();
      }
    };
    new CoalitionEvaluator(recording, Background.uniform(background, count, width),
        new FeatureGroups(playerOfColumn, players), 4)
        .evaluate(inputs, rows, new int[rows], masks, perRow);
    assertEquals(rows * perRow * count, seen.size());
    int at = 0;
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < perRow; k++) {
        for (int b = 0; b < count; b++) {
          float[] expected = new float[width];
          for (int c = 0; c < width; c++) {
            boolean in = masks[(r * perRow + k) * players + playerOfColumn[c]];
            expected[c] = in ? inputs[r * width + c] : background[b * width + c];
          }
          assertArrayEquals(expected, seen.get(at++), "row " + r + ", coalition " + k + ", background row " + b);
        }
      }
    }
  }
}
