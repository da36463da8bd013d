package org.attribution.job;

import java.time.Duration;
import org.attribution.config.InvalidJobException;
import org.attribution.model.ModelFunction;

/**
 * What the explain stage is about to spend, known before it starts: the model evaluations in all
 * and how long they take at the model speed measured on the driver. A run whose settings make it
 * cost a thousand times what the user meant (IG with 100,000 steps, say) then shows it at once,
 * and an absurd plan is refused before the cluster spends anything on it.
 *
 * @param rows input rows (an upper bound on the rows explained: some may be rejected)
 * @param targetsPerRow targets explained per row
 * @param evaluationsPerRow model evaluations per explained target
 * @param evaluationsPerSecond model evaluations one task makes per second, measured on the
 *     driver with the method's kind of call (forward, or forward and gradient)
 * @param concurrentTasks tasks that run at once
 */
record Plan(long rows, int targetsPerRow, long evaluationsPerRow, double evaluationsPerSecond, int concurrentTasks) {

  /** Model evaluations in all; saturates rather than overflowing for absurd settings. */
  long evaluations() {
    try {
      return Math.multiplyExact(Math.multiplyExact(rows, (long) targetsPerRow), evaluationsPerRow);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** Seconds of the explain stage at the measured speed. */
  double estimatedSeconds() {
    return evaluations() / (evaluationsPerSecond * Math.max(1, concurrentTasks));
  }

  /** The line printed before the explain stage. */
  String describe(String method) {
    return String.format("Plan: %,d rows × %s%,d model evaluations per row (%s) = %,d evaluations; about %s with %d"
            + " concurrent task%s at the %,.0f evaluations/s per task measured on the driver", rows,
        targetsPerRow == 1 ? "" : targetsPerRow + " targets × ", evaluationsPerRow, method, evaluations(),
        Progress.human(Duration.ofSeconds((long) Math.ceil(estimatedSeconds()))), concurrentTasks,
        concurrentTasks == 1 ? "" : "s", evaluationsPerSecond);
  }

  /**
   * Refuses a plan of more evaluations than {@code max}.
   *
   * @throws InvalidJobException with the plan's numbers
   */
  void check(long max, String method) {
    if (evaluations() > max) {
      throw new InvalidJobException(String.format("Cannot run this plan: %,d rows × %s%,d model evaluations per row"
              + " (%s) = %,d evaluations, more than execution.max_evaluations (%,d); explain fewer rows, lower the"
              + " method's cost (steps, budget, samples, permutations or background.size), or raise"
              + " execution.max_evaluations", rows, targetsPerRow == 1 ? "" : targetsPerRow + " targets × ",
          evaluationsPerRow, method, evaluations(), max));
    }
  }

  /**
   * Model evaluations per second on one thread of this JVM: the fastest of a few calls of {@code
   * callRows} rows, after one to warm up. The driver's speed stands in for an executor's; it is an
   * estimate, and says so.
   *
   * @param gradients whether the method's calls compute gradients
   */
  static double measureSpeed(ModelFunction model, boolean gradients, int callRows) {
    int rows = Math.max(1, Math.min(callRows, 1024));
    float[] inputs = new float[rows * model.inputWidth()];
    int[] targets = new int[rows];
    long fastest = Long.MAX_VALUE;
    for (int call = 0; call < 4; call++) {
      long start = System.nanoTime();
      if (gradients) {
        model.gradient(inputs, rows, targets, null);
      } else {
        model.forward(inputs, rows);
      }
      long nanos = System.nanoTime() - start;
      if (call > 0) {
        fastest = Math.min(fastest, nanos);
      }
    }
    return rows * 1e9 / Math.max(1, fastest);
  }
}
