package org.attribution.config;

import java.io.Serializable;

/**
 * How executors run the model.
 *
 * @param memoryBudgetMb native memory one task may use for one model call; bounds the batch
 * @param batchRows rows handed to the method at once; derived from the budget when absent
 * @param callRows the most rows in one model call; when absent, {@link Defaults#CPU_CALL_ROWS} on
 *     the CPU and as many as the budget allows on a GPU; never more than the budget allows
 * @param threadsPerTask libtorch intra-op threads per task; Spark's {@code spark.task.cpus} when
 *     absent, so that tasks times threads never exceeds an executor's cores
 * @param progressSeconds how often the driver prints progress; 0 for never
 * @param maxEvaluations the most model evaluations a run may plan (rows times evaluations per
 *     row); a plan over it is refused before the explain stage
 */
public record ExecutionConfig(
    Integer memoryBudgetMb, Integer batchRows, Integer callRows, Integer threadsPerTask, Integer progressSeconds,
    Long maxEvaluations)
    implements Serializable {

  public ExecutionConfig {
    memoryBudgetMb = memoryBudgetMb == null ? Defaults.MEMORY_BUDGET_MB : memoryBudgetMb;
    progressSeconds = progressSeconds == null ? Defaults.PROGRESS_SECONDS : progressSeconds;
    maxEvaluations = maxEvaluations == null ? Defaults.MAX_EVALUATIONS : maxEvaluations;
  }
}
