package org.attribution.config;

import java.io.Serializable;

/**
 * How executors run the model.
 *
 * @param memoryBudgetMb native memory one task may use for one model call; bounds the batch
 * @param batchRows rows handed to the method at once; derived from the budget when absent
 * @param threadsPerTask libtorch intra-op threads per task; Spark's {@code spark.task.cpus} when
 *     absent, so that tasks times threads never exceeds an executor's cores
 */
public record ExecutionConfig(Integer memoryBudgetMb, Integer batchRows, Integer threadsPerTask)
    implements Serializable {

  public ExecutionConfig {
    memoryBudgetMb = memoryBudgetMb == null ? Defaults.MEMORY_BUDGET_MB : memoryBudgetMb;
  }
}
