package org.attribution.job;

import java.util.Locale;

/**
 * Turns running out of memory in a batch into a message that says which setting to lower.
 *
 * <p>libtorch reports a failed allocation as an engine error ("DefaultCPUAllocator: can't
 * allocate memory", "CUDA out of memory"); the JVM as an {@link OutOfMemoryError}. Either way the
 * batch sizes come from the job file, so the fix is there.
 */
final class MemoryAdvice {

  private MemoryAdvice() {}

  /** Whether {@code failure} (or a cause) is a failed allocation. */
  static boolean isOutOfMemory(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (message.contains("can't allocate memory") || message.contains("out of memory")
          || message.contains("failed to allocate")) {
        return true;
      }
    }
    return false;
  }

  /**
   * The failure to report for a batch: an actionable one for a failed allocation, else the
   * failure as it is.
   */
  static RuntimeException forBatch(RuntimeException failure, int rows, int maxEvaluationRows, int memoryBudgetMb) {
    if (!isOutOfMemory(failure)) {
      return failure;
    }
    return new IllegalStateException(String.format("Cannot explain a batch of %,d rows: it ran out of memory in model"
        + " calls of up to %,d rows; lower execution.memory_budget_mb (now %d) or set execution.call_rows or"
        + " execution.batch_rows lower, or give executors more memory overhead", rows, maxEvaluationRows,
        memoryBudgetMb), failure);
  }
}
