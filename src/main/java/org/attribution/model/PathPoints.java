package org.attribution.model;

import java.util.Arrays;

/**
 * Points on straight paths through input space, where a path method takes gradients: point k lies
 * at {@code s + alphas[k] (e - s)}, between start row {@code s = starts[startOf[k]]} and end row
 * {@code e = ends[endOf[k]]}, and its gradient is of output {@code targets[k]}. Rows are
 * row-major, {@code inputWidth} values each, in float64 so that a point and its path's step are
 * computed from the same values whichever side builds them ({@link ModelFunction#pathGradients}).
 *
 * <p>The arrays are not copied (a method refills them call after call): only the first {@code
 * count} entries of the per-point arrays count, and whoever builds an instance must not change
 * them while a call uses it.
 *
 * @param ends end rows, in float64
 * @param starts start rows, in float64
 * @param endOf for each point, the index of its end row
 * @param startOf for each point, the index of its start row
 * @param alphas for each point, its position on the path: 0 at the start, 1 at the end
 * @param targets for each point, the output to differentiate
 * @param count how many points there are
 */
public record PathPoints(
    double[] ends, double[] starts, int[] endOf, int[] startOf, double[] alphas, int[] targets, int count) {

  /** @throws IllegalArgumentException if a per-point array is shorter than {@code count} */
  public PathPoints {
    if (count < 0 || endOf.length < count || startOf.length < count || alphas.length < count
        || targets.length < count) {
      throw new IllegalArgumentException("Cannot build path points: " + count
          + " points need that many end and start indices, positions and targets");
    }
  }

  /**
   * Checks that every point's rows and target exist.
   *
   * @throws IllegalArgumentException naming the first point that does not fit
   */
  public void check(int inputWidth, int outputWidth) {
    if (ends.length % inputWidth != 0 || starts.length % inputWidth != 0) {
      throw new IllegalArgumentException("Cannot take path gradients: rows of " + inputWidth
          + " values do not fill " + ends.length + " end and " + starts.length + " start values");
    }
    int endRows = ends.length / inputWidth;
    int startRows = starts.length / inputWidth;
    for (int k = 0; k < count; k++) {
      if (endOf[k] < 0 || endOf[k] >= endRows || startOf[k] < 0 || startOf[k] >= startRows
          || targets[k] < 0 || targets[k] >= outputWidth) {
        throw new IllegalArgumentException("Cannot take path gradients: point " + k + " names end row "
            + endOf[k] + " of " + endRows + ", start row " + startOf[k] + " of " + startRows
            + " and output " + targets[k] + " of " + outputWidth);
      }
    }
  }

  /** Points {@code from} (inclusive) to {@code to} (exclusive), on the same rows. */
  public PathPoints range(int from, int to) {
    return new PathPoints(ends, starts, Arrays.copyOfRange(endOf, from, to), Arrays.copyOfRange(startOf, from, to),
        Arrays.copyOfRange(alphas, from, to), Arrays.copyOfRange(targets, from, to), to - from);
  }
}
