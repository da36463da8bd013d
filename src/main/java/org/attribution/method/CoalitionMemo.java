package org.attribution.method;

import java.util.Arrays;

/**
 * Coalition values already evaluated for each row of a batch, so that a coalition a row draws
 * again is looked up instead of evaluated again. Sampled permutations repeat coalitions often: the
 * prefixes of 32 orderings of 12 players (16 antithetic pairs) hold about 290 distinct coalitions
 * among their 352, since there are only 12 coalitions of one player and 12 of eleven. A value
 * looked up is the value the evaluation would have returned (a model's output for an input does
 * not depend on when it is asked), and which coalitions a row evaluates, and in what order,
 * depends on its own draws alone.
 *
 * <p>The coalitions are kept as their players' bits with the row's number, in one open-addressing
 * table: a lookup, which runs for every coalition drawn, is a few multiplications and comparisons,
 * and the table holds no object per coalition, so that its size for a batch's rows stays a few
 * arrays however many coalitions they draw.
 *
 * <p>Not thread-safe: one instance serves one call of a method.
 */
final class CoalitionMemo {

  private final CoalitionEvaluator evaluator;
  private final int players;
  /** Longs per key: the row's number, then the players' bits. */
  private final int stride;
  private final long[] key;
  private long[] keys;
  /** Per table slot, the entry it holds plus one; 0 for an empty slot. */
  private int[] slots;
  private double[] values;
  private int entries;

  /** @param evaluator evaluates what no row has had yet */
  CoalitionMemo(CoalitionEvaluator evaluator) {
    this.evaluator = evaluator;
    this.players = evaluator.players();
    this.stride = 1 + (players + 63) / 64;
    this.key = new long[stride];
    this.keys = new long[64 * stride];
    this.slots = new int[128];
    this.values = new double[64];
  }

  /**
   * The values of {@code perRow} coalitions for each of {@code rowsOf.length} rows, as {@link
   * CoalitionEvaluator#evaluate(float[], int, int[], boolean[], int)} returns them, evaluating only
   * the coalitions each row has not had before.
   *
   * @param inputs the rows' encoded inputs, in the order of {@code rowsOf}
   * @param rowsOf the number that identifies each input row across calls
   * @param targets the output to evaluate, per input row
   * @param masks {@code perRow} coalitions per input row, as the evaluator takes them
   * @param evaluated adds the model evaluations each input row spent here
   */
  double[] values(float[] inputs, int[] rowsOf, int[] targets, boolean[] masks, int perRow, long[] evaluated) {
    int rows = rowsOf.length;
    int[] entryOf = new int[rows * perRow];
    int[] freshSlots = new int[rows * perRow];
    int[] firstFresh = new int[rows + 1];
    int fresh = 0;
    int firstNewEntry = entries;
    for (int i = 0; i < rows; i++) {
      for (int k = i * perRow; k < (i + 1) * perRow; k++) {
        int before = entries;
        entryOf[k] = entry(rowsOf[i], masks, k);
        if (entries > before) {
          freshSlots[fresh++] = k;
        }
      }
      firstFresh[i + 1] = fresh;
    }
    boolean[] freshMasks = new boolean[fresh * players];
    for (int j = 0; j < fresh; j++) {
      System.arraycopy(masks, freshSlots[j] * players, freshMasks, j * players, players);
    }
    // New entries were numbered in the order of the fresh coalitions.
    double[] newValues = evaluator.evaluate(inputs, rows, targets, freshMasks, firstFresh);
    System.arraycopy(newValues, 0, values, firstNewEntry, fresh);
    double[] out = new double[rows * perRow];
    for (int k = 0; k < out.length; k++) {
      out[k] = values[entryOf[k]];
    }
    for (int i = 0; i < rows; i++) {
      evaluated[i] += (long) (firstFresh[i + 1] - firstFresh[i]) * evaluator.evaluationsPerCoalition();
    }
    return out;
  }

  /** The entry of coalition {@code k} of {@code masks} for {@code row}, a new one if it has none. */
  private int entry(int row, boolean[] masks, int k) {
    Arrays.fill(key, 0);
    key[0] = row;
    for (int p = 0; p < players; p++) {
      if (masks[k * players + p]) {
        key[1 + (p >>> 6)] |= 1L << p;
      }
    }
    int mask = slots.length - 1;
    for (int s = hash(key, 0) & mask; ; s = (s + 1) & mask) {
      int held = slots[s] - 1;
      if (held < 0) {
        return add(s);
      }
      if (Arrays.equals(keys, held * stride, (held + 1) * stride, key, 0, stride)) {
        return held;
      }
    }
  }

  /** Adds the current key as a new entry at table slot {@code s}, growing the table at half full. */
  private int add(int s) {
    int added = entries++;
    if (keys.length < entries * stride) {
      keys = Arrays.copyOf(keys, 2 * keys.length);
      values = Arrays.copyOf(values, 2 * values.length);
    }
    System.arraycopy(key, 0, keys, added * stride, stride);
    slots[s] = added + 1;
    if (2 * entries > slots.length) {
      rehash();
    }
    return added;
  }

  private void rehash() {
    slots = new int[2 * slots.length];
    int mask = slots.length - 1;
    for (int e = 0; e < entries; e++) {
      int s = hash(keys, e * stride) & mask;
      while (slots[s] != 0) {
        s = (s + 1) & mask;
      }
      slots[s] = e + 1;
    }
  }

  /** A hash of the key at {@code at}, its bits mixed into the low ones the table uses. */
  private int hash(long[] array, int at) {
    long hash = array[at] * 0x9E3779B97F4A7C15L;
    for (int w = 1; w < stride; w++) {
      hash = (hash ^ array[at + w]) * 0xBF58476D1CE4E5B9L;
    }
    return (int) (hash ^ hash >>> 32);
  }
}
