package org.attribution.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The report's sample of explained rows, kept by the explain stage's tasks as they explain them,
 * so the summary and dependence plots cost no model evaluation of their own.
 *
 * <p>A row is drawn when a hash of its seed (itself a hash of the run seed and the row id) falls
 * below the sample's share, so the sample does not depend on the partitioning. A task hands its
 * rows to the driver once its input is done, through an accumulator, which counts only tasks that
 * succeed; a partition computed twice (a cached result evicted and rebuilt) gives the same rows
 * twice, which {@link #ordered} drops.
 */
final class ReportRows {

  private static final long SALT = 0x5A3B1E5L;

  private ReportRows() {}

  /**
   * One kept row's attributions at one of its targets.
   *
   * @param seed the row's seed
   * @param target the explained output
   * @param attributions per player
   * @param input the row as the model took it, column by column
   */
  record Kept(long seed, int target, double[] attributions, float[] input) implements Serializable {}

  /** Whether the row with this seed is in a sample of about {@code share} of the rows. */
  static boolean drawn(long seed, double share) {
    return share > 0 && (mix(seed ^ SALT) >>> 11) * 0x1.0p-53 < share;
  }

  /** The rows in seed, input and target order, each once: the same list whatever the partitioning. */
  static List<Kept> ordered(List<Kept> kept) {
    Comparator<Kept> order = Comparator.comparingLong(Kept::seed).thenComparing(Kept::input, Arrays::compare)
        .thenComparingInt(Kept::target);
    List<Kept> sorted = new ArrayList<>(kept);
    sorted.sort(order);
    List<Kept> rows = new ArrayList<>();
    for (Kept k : sorted) {
      // A row handed over twice sorts next to its copy.
      if (rows.isEmpty() || order.compare(rows.get(rows.size() - 1), k) != 0) {
        rows.add(k);
      }
    }
    return rows;
  }

  /** SplitMix64's finaliser: the seeds' bits spread evenly, so a threshold draws a fair share. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
