package org.attribution.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Experiment: a gradient-boosted regression-tree ensemble on coalition masks (bit p of a long for
 * player p), whose Shapley values are exact and cheap: a leaf reached iff A is inside S and B is
 * outside is the game {@code c 1[A subset S, B cap S empty]}, with Shapley value {@code c (|A|-1)!
 * |B|! / (|A|+|B|)!} for i in A and {@code -c |A|! (|B|-1)! / (|A|+|B|)!} for i in B.
 */
final class TreeSurrogate {

  /** One leaf: the players that must be in, must be out, and the value added. */
  record Leaf(long in, long out, double value) {}

  final int players;
  final double intercept;
  final List<Leaf> leaves;

  TreeSurrogate(int players, double intercept, List<Leaf> leaves) {
    this.players = players;
    this.intercept = intercept;
    this.leaves = leaves;
  }

  double predict(long s) {
    double sum = intercept;
    for (Leaf leaf : leaves) {
      if ((s & leaf.in) == leaf.in && (s & leaf.out) == 0) {
        sum += leaf.value;
      }
    }
    return sum;
  }

  /** Exact Shapley values of the ensemble as a game. */
  double[] shapley() {
    double[] phi = new double[players];
    int max = players + 1;
    double[] factorial = new double[max + 1];
    factorial[0] = 1;
    for (int i = 1; i <= max; i++) {
      factorial[i] = factorial[i - 1] * i;
    }
    for (Leaf leaf : leaves) {
      int a = Long.bitCount(leaf.in);
      int b = Long.bitCount(leaf.out);
      if (a + b == 0) {
        continue;
      }
      double total = factorial[a + b];
      if (a > 0) {
        double share = leaf.value * factorial[a - 1] * factorial[b] / total;
        for (long m = leaf.in; m != 0; m &= m - 1) {
          phi[Long.numberOfTrailingZeros(m)] += share;
        }
      }
      if (b > 0) {
        double share = -leaf.value * factorial[a] * factorial[b - 1] / total;
        for (long m = leaf.out; m != 0; m &= m - 1) {
          phi[Long.numberOfTrailingZeros(m)] += share;
        }
      }
    }
    return phi;
  }

  /**
   * Fits {@code trees} depth-{@code depth} trees with shrinkage {@code rate} to {@code y} at the
   * coalitions {@code s}, weights {@code w}, starting from {@code start} (or the weighted mean if
   * null), leaves holding at least {@code minLeaf} coalitions.
   */
  static TreeSurrogate fit(int players, long[] s, double[] y, double[] w, double[] start,
      int trees, int depth, double rate, int minLeaf) {
    int n = s.length;
    double[] residual = new double[n];
    double intercept = 0;
    if (start == null) {
      double sw = 0;
      for (int k = 0; k < n; k++) {
        intercept += w[k] * y[k];
        sw += w[k];
      }
      intercept /= sw;
      for (int k = 0; k < n; k++) {
        residual[k] = y[k] - intercept;
      }
    } else {
      for (int k = 0; k < n; k++) {
        residual[k] = y[k] - start[k];
      }
    }
    List<Leaf> leaves = new ArrayList<>();
    int[] index = new int[n];
    double[] sumW = new double[players];
    double[] sumWr = new double[players];
    int[] count = new int[players];
    for (int t = 0; t < trees; t++) {
      for (int k = 0; k < n; k++) {
        index[k] = k;
      }
      grow(players, s, residual, w, index, 0, n, 0L, 0L, depth, rate, minLeaf, leaves, sumW, sumWr, count);
    }
    return new TreeSurrogate(players, intercept, leaves);
  }

  private static void grow(int players, long[] s, double[] residual, double[] w, int[] index, int from, int to,
      long in, long out, int depthLeft, double rate, int minLeaf, List<Leaf> leaves,
      double[] sumW, double[] sumWr, int[] count) {
    double totalW = 0;
    double totalWr = 0;
    for (int i = from; i < to; i++) {
      int k = index[i];
      totalW += w[k];
      totalWr += w[k] * residual[k];
    }
    int best = -1;
    if (depthLeft > 0) {
      java.util.Arrays.fill(sumW, 0);
      java.util.Arrays.fill(sumWr, 0);
      java.util.Arrays.fill(count, 0);
      for (int i = from; i < to; i++) {
        int k = index[i];
        double wk = w[k];
        double wr = wk * residual[k];
        for (long m = s[k]; m != 0; m &= m - 1) {
          int p = Long.numberOfTrailingZeros(m);
          sumW[p] += wk;
          sumWr[p] += wr;
          count[p]++;
        }
      }
      double base = totalWr * totalWr / totalW;
      double bestGain = 1e-12 * Math.abs(base);
      long used = in | out;
      int size = to - from;
      for (int p = 0; p < players; p++) {
        if ((used >>> p & 1) != 0 || count[p] < minLeaf || size - count[p] < minLeaf) {
          continue;
        }
        double w1 = sumW[p];
        double w0 = totalW - w1;
        if (w1 <= 0 || w0 <= 0) {
          continue;
        }
        double r1 = sumWr[p];
        double r0 = totalWr - r1;
        double gain = r1 * r1 / w1 + r0 * r0 / w0 - base;
        if (gain > bestGain) {
          bestGain = gain;
          best = p;
        }
      }
    }
    if (best < 0) {
      double value = rate * totalWr / totalW;
      for (int i = from; i < to; i++) {
        residual[index[i]] -= value;
      }
      leaves.add(new Leaf(in, out, value));
      return;
    }
    // Partition: players without `best` first.
    int split = from;
    for (int i = from; i < to; i++) {
      if ((s[index[i]] >>> best & 1) == 0) {
        int swap = index[split];
        index[split] = index[i];
        index[i] = swap;
        split++;
      }
    }
    long bit = 1L << best;
    grow(players, s, residual, w, index, from, split, in, out | bit, depthLeft - 1, rate, minLeaf, leaves,
        sumW, sumWr, count);
    grow(players, s, residual, w, index, split, to, in | bit, out, depthLeft - 1, rate, minLeaf, leaves,
        sumW, sumWr, count);
  }
}
