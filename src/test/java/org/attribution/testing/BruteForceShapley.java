package org.attribution.testing;

import org.attribution.method.Background;
import org.attribution.method.FeatureGroups;
import org.attribution.model.ModelFunction;

/**
 * Interventional Shapley values straight from the permutation definition, as ground truth for the
 * methods under test: the value of player i is its marginal contribution {@code v(S + i) - v(S)}
 * averaged over all M! orderings of the players, S being the players before i, with {@code v(S) =
 * sum_b w_b f(x on S, b elsewhere)}. Shares no code with the methods; M! grows fast, so it is for M
 * up to about 8.
 */
public final class BruteForceShapley {

  private BruteForceShapley() {}

  /**
   * Shapley values of one row.
   *
   * @param x the row's encoded input
   * @param target the model output explained
   * @return one value per player
   */
  public static double[] values(
      ModelFunction model, Background background, FeatureGroups groups, float[] x, int target) {
    Game game = new Game(model, background, groups, x, target);
    int players = groups.players();
    double[] sums = new double[players];
    long orderings = orderings(new int[players], 0, 0, game, sums);
    double[] values = new double[players];
    for (int p = 0; p < players; p++) {
      values[p] = sums[p] / orderings;
    }
    return values;
  }

  /**
   * Extends an ordering whose first {@code placed} players are set (they form {@code before}) in
   * every possible way, adding each completed ordering's marginal contributions to {@code sums};
   * returns the number of orderings completed.
   */
  private static long orderings(int[] order, int placed, int before, Game game, double[] sums) {
    int players = order.length;
    if (placed == players) {
      int coalition = 0;
      for (int player : order) {
        sums[player] += game.value(coalition | 1 << player) - game.value(coalition);
        coalition |= 1 << player;
      }
      return 1;
    }
    long count = 0;
    for (int p = 0; p < players; p++) {
      if ((before & 1 << p) == 0) {
        order[placed] = p;
        count += orderings(order, placed + 1, before | 1 << p, game, sums);
      }
    }
    return count;
  }

  /** v(S) of one row, each coalition evaluated once, when first asked for. */
  private static final class Game {
    private final ModelFunction model;
    private final float[] backgroundRows;
    private final double[] weights;
    private final int[] playerOfColumn;
    private final float[] x;
    private final int target;
    private final Double[] values;

    Game(ModelFunction model, Background background, FeatureGroups groups, float[] x, int target) {
      this.model = model;
      this.backgroundRows = background.rows();
      this.weights = background.weights();
      this.playerOfColumn = groups.playerOfColumn();
      this.x = x;
      this.target = target;
      this.values = new Double[1 << groups.players()];
    }

    double value(int coalition) {
      if (values[coalition] == null) {
        int width = x.length;
        int count = weights.length;
        float[] inputs = backgroundRows.clone();
        for (int b = 0; b < count; b++) {
          for (int c = 0; c < width; c++) {
            if ((coalition & 1 << playerOfColumn[c]) != 0) {
              inputs[b * width + c] = x[c];
            }
          }
        }
        float[] outputs = model.forward(inputs, count);
        double sum = 0;
        for (int b = 0; b < count; b++) {
          sum += weights[b] * outputs[b * model.outputWidth() + target];
        }
        values[coalition] = sum;
      }
      return values[coalition];
    }
  }
}
