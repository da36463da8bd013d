package org.attribution.model;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The float64 arithmetic around one path gradient call, as {@link ModelFunction#pathGradients}
 * defines it: each point {@code s + alpha (e - s)} rounded to float32 once, and each player's sum
 * of {@code (e_c - s_c) * gradient_c} over its columns in column order. The points and gradients
 * are read and written through a {@link FloatBuffer}, so that an engine can build the points in
 * its call's own memory and read the gradients where its call left them, with no copy in between.
 */
final class PathArithmetic {

  private final PathPoints paths;
  private final int width;
  /** The distinct steps {@code e - s}, {@code width} values each. */
  private final double[] steps;
  /** For each point, where its step starts in {@link #steps}. */
  private final int[] stepAt;

  private PathArithmetic(PathPoints paths, int width, double[] steps, int[] stepAt) {
    this.paths = paths;
    this.width = width;
    this.steps = steps;
    this.stepAt = stepAt;
  }

  /**
   * The steps of the points' paths. Points on one path share its step, computed once: Gradient
   * SHAP's points are a few rows' samples against a few background rows, so a call holds far
   * fewer paths than points, and their steps stay in the cache. A table of every (end, start)
   * pair when that is small.
   */
  static PathArithmetic of(PathPoints paths, int width) {
    int count = paths.count();
    int endRows = paths.ends().length / width;
    int startRows = paths.starts().length / width;
    boolean shared = (long) endRows * startRows <= Math.min(16L * count, Integer.MAX_VALUE / 2);
    int[] pathIndex = shared ? new int[endRows * startRows] : null;
    int[] stepAt = new int[count];
    double[] steps = new double[(shared ? Math.min(count, endRows * startRows) : count) * width];
    int stepRows = 0;
    for (int k = 0; k < count; k++) {
      int end = paths.endOf()[k] * width;
      int start = paths.startOf()[k] * width;
      int key = shared ? paths.endOf()[k] * startRows + paths.startOf()[k] : 0;
      if (!shared || pathIndex[key] == 0) {
        for (int c = 0, at = stepRows * width; c < width; c++, at++) {
          steps[at] = paths.ends()[end + c] - paths.starts()[start + c];
        }
        stepRows++;
        if (shared) {
          pathIndex[key] = stepRows;
        }
      }
      stepAt[k] = (shared ? pathIndex[key] - 1 : stepRows - 1) * width;
    }
    return new PathArithmetic(paths, width, steps, stepAt);
  }

  /** Writes each point's float32 row, from the buffer's start, {@code width} values per point. */
  void writePoints(FloatBuffer out) {
    double[] starts = paths.starts();
    for (int k = 0, at = 0; k < paths.count(); k++) {
      int start = paths.startOf()[k] * width;
      int step = stepAt[k];
      double alpha = paths.alphas()[k];
      for (int c = 0; c < width; c++, at++) {
        out.put(at, (float) (starts[start + c] + alpha * steps[step + c]));
      }
    }
  }

  /**
   * Each point's per-player sums of its step times its gradient, from {@code gradients} (a row of
   * {@code width} values per point, from the buffer's start): {@code count x players}, row-major.
   * Each run of consecutive columns of one player is summed in a register, in column order (adding
   * into the sums array column by column waited on a store and reload of the same sum: 229 ns per
   * point of 119 columns, against 97), and two points at a time: a point's sum is a chain of
   * dependent additions, and a second, independent chain keeps the core busy while each addition
   * waits on the one before. A point's own additions run in the same order either way, so its
   * sums do not depend on the points around it.
   */
  double[] sums(FloatBuffer gradients, int[] playerOfColumn, int players) {
    int count = paths.count();
    int[] runEnds = runEnds(playerOfColumn, width);
    double[] sums = new double[count * players];
    for (int k = 0; k < count; k += 2) {
      // The last point of an odd count is its own pair: both chains then sum it alike, and both
      // write the same values to the same place.
      int second = Math.min(k + 1, count - 1);
      int a = stepAt[k];
      int b = stepAt[second];
      int inA = k * width;
      int inB = second * width;
      for (int r = 0, c = 0; r < runEnds.length; r++) {
        int atA = k * players + playerOfColumn[c];
        int atB = second * players + playerOfColumn[c];
        double sumA = sums[atA];
        double sumB = sums[atB];
        for (int end = runEnds[r]; c < end; c++) {
          sumA += steps[a + c] * gradients.get(inA + c);
          sumB += steps[b + c] * gradients.get(inB + c);
        }
        sums[atA] = sumA;
        sums[atB] = sumB;
      }
    }
    return sums;
  }

  /** Where each run of consecutive columns of one player ends (exclusive), in column order. */
  private static int[] runEnds(int[] playerOfColumn, int width) {
    int[] ends = new int[width];
    int runs = 0;
    for (int c = 1; c <= width; c++) {
      if (c == width || playerOfColumn[c] != playerOfColumn[c - 1]) {
        ends[runs++] = c;
      }
    }
    return Arrays.copyOf(ends, runs);
  }
}
