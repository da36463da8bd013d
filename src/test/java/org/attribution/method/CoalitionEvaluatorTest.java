package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
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
}
