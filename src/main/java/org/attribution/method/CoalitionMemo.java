package org.attribution.method;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Coalition values already evaluated for each row of a batch, so that a coalition a row draws
 * again is looked up instead of evaluated again. Sampled permutations repeat coalitions often: the
 * prefixes of 32 orderings of 12 players (16 antithetic pairs) hold about 290 distinct coalitions
 * among their 352, since there are only 12 coalitions of one player and 12 of eleven. A value
 * looked up is the value the evaluation would have returned (a model's output for an input does
 * not depend on when it is asked), and which coalitions a row evaluates, and in what order,
 * depends on its own draws alone.
 *
 * <p>Not thread-safe: one instance serves one call of a method.
 */
final class CoalitionMemo {

  private final CoalitionEvaluator evaluator;
  private final int players;
  private final int words;
  private final Map<Coalition, Integer>[] indexes;
  private final double[][] values;
  private final int[] known;

  /**
   * @param evaluator evaluates what no row has yet
   * @param rows the rows whose values are kept, numbered from 0
   */
  @SuppressWarnings("unchecked")
  CoalitionMemo(CoalitionEvaluator evaluator, int rows) {
    this.evaluator = evaluator;
    this.players = evaluator.players();
    this.words = (players + 63) / 64;
    this.indexes = new Map[rows];
    this.values = new double[rows][];
    this.known = new int[rows];
    for (int r = 0; r < rows; r++) {
      indexes[r] = new HashMap<>();
      values[r] = new double[16];
    }
  }

  /**
   * The values of {@code perRow} coalitions for each of {@code rowsOf.length} rows, as {@link
   * CoalitionEvaluator#evaluate(float[], int, int[], boolean[], int)} returns them, evaluating only
   * the coalitions each row has not had before.
   *
   * @param inputs the rows' encoded inputs, in the order of {@code rowsOf}
   * @param rowsOf which kept row each input row is
   * @param targets the output to evaluate, per input row
   * @param masks {@code perRow} coalitions per input row, as the evaluator takes them
   * @param evaluated adds the model evaluations each input row spent here
   */
  double[] values(float[] inputs, int[] rowsOf, int[] targets, boolean[] masks, int perRow, long[] evaluated) {
    int rows = rowsOf.length;
    int[] slot = new int[rows * perRow];
    int[] firstNew = new int[rows + 1];
    int[] freshSlots = new int[rows * perRow];
    int fresh = 0;
    for (int i = 0; i < rows; i++) {
      int row = rowsOf[i];
      Map<Coalition, Integer> index = indexes[row];
      for (int k = i * perRow; k < (i + 1) * perRow; k++) {
        Integer at = index.putIfAbsent(coalitionOf(masks, k), known[row]);
        if (at == null) {
          at = known[row]++;
          freshSlots[fresh++] = k;
        }
        slot[k] = at;
      }
      firstNew[i + 1] = fresh;
    }
    boolean[] freshMasks = new boolean[fresh * players];
    for (int j = 0; j < fresh; j++) {
      System.arraycopy(masks, freshSlots[j] * players, freshMasks, j * players, players);
    }
    double[] newValues = evaluator.evaluate(inputs, rows, targets, freshMasks, firstNew);
    double[] out = new double[rows * perRow];
    for (int i = 0; i < rows; i++) {
      int row = rowsOf[i];
      int added = firstNew[i + 1] - firstNew[i];
      int from = known[row] - added;
      if (values[row].length < known[row]) {
        values[row] = Arrays.copyOf(values[row], Math.max(known[row], 2 * values[row].length));
      }
      System.arraycopy(newValues, firstNew[i], values[row], from, added);
      evaluated[i] += (long) added * evaluator.evaluationsPerCoalition();
      for (int k = i * perRow; k < (i + 1) * perRow; k++) {
        out[k] = values[row][slot[k]];
      }
    }
    return out;
  }

  private Coalition coalitionOf(boolean[] masks, int k) {
    long[] bits = new long[words];
    for (int p = 0; p < players; p++) {
      if (masks[k * players + p]) {
        bits[p >>> 6] |= 1L << p;
      }
    }
    return new Coalition(bits);
  }

  /** A coalition as the bits of its players, compared by value. */
  private record Coalition(long[] bits) {

    @Override
    public boolean equals(Object other) {
      return other instanceof Coalition coalition && Arrays.equals(bits, coalition.bits);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
      return Arrays.toString(bits);
    }
  }
}
