package org.attribution.job;

import org.attribution.model.SplittingModel;

/**
 * Turns running out of memory in a batch into a message that says which setting to lower: model
 * calls are split down to one row first ({@link SplittingModel}), so what still fails is a batch
 * whose own arrays, from the job file's sizes, do not fit.
 */
final class MemoryAdvice {

  private MemoryAdvice() {}

  /**
   * The failure to report for a batch: an actionable one for a failed allocation, else the
   * failure as it is.
   */
  static RuntimeException forBatch(RuntimeException failure, int rows, int maxEvaluationRows, int memoryBudgetMb) {
    if (!SplittingModel.isOutOfMemory(failure)) {
      return failure;
    }
    return new IllegalStateException(String.format("Cannot explain a batch of %,d rows: it ran out of memory in model"
        + " calls of up to %,d rows; lower execution.memory_budget_mb (now %d) or set execution.call_rows or"
        + " execution.batch_rows lower, or give executors more memory overhead", rows, maxEvaluationRows,
        memoryBudgetMb), failure);
  }
}
