package org.attribution.method;

import java.util.Arrays;

/**
 * A gradient-boosted ensemble of regression trees on coalitions, whose Shapley values are exact
 * and cheap: the surrogate game of Kernel SHAP's tree adjustment ({@link KernelShap}).
 *
 * <p>Coalitions are bit sets (bit p of a {@code long} for player p, so at most {@link
 * CoalitionSurrogate#MAX_PLAYERS} players). A tree splits on whether a player is present; the leaf a coalition S
 * reaches is fixed by a set A of players that must be present and a set B that must be absent, so
 * the leaf is the game {@code c 1[A in S, B outside S]}. Its Shapley values are, for i in A, the
 * probability that i comes after the rest of A and before all of B in a random ordering, times c:
 * {@code c (|A| - 1)! |B|! / (|A| + |B|)!}; and for j in B, minus the probability that j comes after
 * all of A and before the rest of B: {@code -c |A|! (|B| - 1)! / (|A| + |B|)!}. The ensemble's
 * values are the sum over its leaves (Shapley values are linear in the game), {@code O(leaves x
 * depth)}.
 *
 * <p>Fitting is deterministic (ties go to the lower player), so the ensemble is a function of its
 * data alone. Squared loss, shrinkage {@code rate}, no subsampling; a split needs {@code minLeaf}
 * coalitions on each side. Cost {@code O(trees x depth x n x M)} for n coalitions.
 */
final class CoalitionTrees {

  private final int players;
  private final int depth;

  /** Per tree, the player split on at each internal node (heap order), or -1 for none. */
  private final int[][] split;

  /** Per tree, the value of each of its {@code 2^depth} leaf slots (heap order below the nodes). */
  private final double[][] leafValue;

  /** Per tree and leaf slot, the players that must be in / out to reach it; a slot never reached is 0/0 and 0. */
  private final long[][] leafIn;

  private final long[][] leafOut;

  private CoalitionTrees(int players, int depth, int trees) {
    this.players = players;
    this.depth = depth;
    this.split = new int[trees][(1 << depth) - 1];
    this.leafValue = new double[trees][1 << depth];
    this.leafIn = new long[trees][1 << depth];
    this.leafOut = new long[trees][1 << depth];
    for (int[] s : split) {
      Arrays.fill(s, -1);
    }
  }

  /**
   * Boosts {@code trees} trees on the residuals {@code target - start}.
   *
   * @param coalitions bit sets of at most {@link CoalitionSurrogate#MAX_PLAYERS} players
   * @param residuals the targets minus the starting prediction; overwritten with what is left
   */
  static CoalitionTrees fit(
      int players, long[] coalitions, double[] residuals, int trees, int depth, double rate, int minLeaf) {
    if (players > CoalitionSurrogate.MAX_PLAYERS) {
      throw new IllegalArgumentException(
          "Cannot fit coalition trees: at most " + CoalitionSurrogate.MAX_PLAYERS + " players, got " + players);
    }
    CoalitionTrees ensemble = new CoalitionTrees(players, depth, trees);
    int n = coalitions.length;
    int[] index = new int[n];
    double[] sumR = new double[players];
    int[] count = new int[players];
    for (int t = 0; t < trees; t++) {
      for (int k = 0; k < n; k++) {
        index[k] = k;
      }
      ensemble.grow(t, 0, coalitions, residuals, index, 0, n, 0L, 0L, rate, minLeaf, sumR, count);
    }
    return ensemble;
  }

  /** Grows the subtree of tree t at heap node {@code node}, over {@code index[from..to)}. */
  private void grow(int t, int node, long[] s, double[] residuals, int[] index, int from, int to, long in,
      long out, double rate, int minLeaf, double[] sumR, int[] count) {
    int size = to - from;
    double total = 0;
    for (int i = from; i < to; i++) {
      total += residuals[index[i]];
    }
    int internal = (1 << depth) - 1;
    int best = -1;
    if (node < internal && size >= 2 * minLeaf) {
      Arrays.fill(sumR, 0);
      Arrays.fill(count, 0);
      for (int i = from; i < to; i++) {
        int k = index[i];
        double r = residuals[k];
        for (long m = s[k]; m != 0; m &= m - 1) {
          int p = Long.numberOfTrailingZeros(m);
          sumR[p] += r;
          count[p]++;
        }
      }
      // Squared-error reduction of a split, less the parent's: r1^2/n1 + r0^2/n0 - r^2/n.
      double parent = total * total / size;
      double bestGain = 1e-12 * Math.abs(parent) + Double.MIN_VALUE;
      long used = in | out;
      for (int p = 0; p < players; p++) {
        int n1 = count[p];
        int n0 = size - n1;
        if ((used >>> p & 1) != 0 || n1 < minLeaf || n0 < minLeaf) {
          continue;
        }
        double r1 = sumR[p];
        double r0 = total - r1;
        double gain = r1 * r1 / n1 + r0 * r0 / n0 - parent;
        if (gain > bestGain) {
          bestGain = gain;
          best = p;
        }
      }
    }
    if (best < 0) {
      // A leaf: every leaf slot below this node gets its value, the first one its sets.
      double value = size == 0 ? 0 : rate * total / size;
      for (int i = from; i < to; i++) {
        residuals[index[i]] -= value;
      }
      int slot = node;
      while (slot < internal) {
        slot = 2 * slot + 1;
      }
      slot -= internal;
      leafValue[t][slot] = value;
      leafIn[t][slot] = in;
      leafOut[t][slot] = out;
      // Mark the node as a leaf for prediction: left-most descent ends in the slot.
      return;
    }
    split[t][node] = best;
    int middle = from;
    for (int i = from; i < to; i++) {
      if ((s[index[i]] >>> best & 1) == 0) {
        int swap = index[middle];
        index[middle] = index[i];
        index[i] = swap;
        middle++;
      }
    }
    long bit = 1L << best;
    grow(t, 2 * node + 1, s, residuals, index, from, middle, in, out | bit, rate, minLeaf, sumR, count);
    grow(t, 2 * node + 2, s, residuals, index, middle, to, in | bit, out, rate, minLeaf, sumR, count);
  }

  /** The ensemble's prediction at coalition {@code s} (without any starting prediction). */
  double predict(long s) {
    int internal = (1 << depth) - 1;
    double sum = 0;
    for (int t = 0; t < split.length; t++) {
      int node = 0;
      while (node < internal) {
        int p = split[t][node];
        // A node that did not split leads to its left-most slot, where its leaf was written.
        node = 2 * node + (p >= 0 && (s >>> p & 1) != 0 ? 2 : 1);
      }
      sum += leafValue[t][node - internal];
    }
    return sum;
  }

  /** The exact Shapley values of the ensemble as a game (see the class). */
  double[] shapleyValues() {
    double[] phi = new double[players];
    double[] factorial = new double[depth + 2];
    factorial[0] = 1;
    for (int i = 1; i < factorial.length; i++) {
      factorial[i] = factorial[i - 1] * i;
    }
    for (int t = 0; t < split.length; t++) {
      for (int slot = 0; slot < leafValue[t].length; slot++) {
        double c = leafValue[t][slot];
        long in = leafIn[t][slot];
        long out = leafOut[t][slot];
        int a = Long.bitCount(in);
        int b = Long.bitCount(out);
        if (c == 0 || a + b == 0) {
          continue;
        }
        if (a > 0) {
          double share = c * factorial[a - 1] * factorial[b] / factorial[a + b];
          for (long m = in; m != 0; m &= m - 1) {
            phi[Long.numberOfTrailingZeros(m)] += share;
          }
        }
        if (b > 0) {
          double share = -c * factorial[a] * factorial[b - 1] / factorial[a + b];
          for (long m = out; m != 0; m &= m - 1) {
            phi[Long.numberOfTrailingZeros(m)] += share;
          }
        }
      }
    }
    return phi;
  }
}
