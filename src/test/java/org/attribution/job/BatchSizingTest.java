package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attribution.config.Defaults;
import org.attribution.config.ExecutionConfig;
import org.junit.jupiter.api.Test;

/** How the job turns the memory budget and the execution settings into batch and call sizes. */
class BatchSizingTest {

  private static ExecutionConfig execution(Integer budgetMb, Integer batchRows, Integer callRows) {
    return new ExecutionConfig(budgetMb, batchRows, callRows, null, null, null);
  }

  @Test
  void theDefaultBudgetAllowsCallsOfTheCapForTheSampleModel() {
    // 256 MiB / (4 bytes x (8 x 119 + 4 x 2)) = 69,905 rows, capped.
    assertEquals(AttributionJob.MAX_EVALUATION_ROWS, AttributionJob.budgetRows(execution(null, null, null), 119, 2, 4));
    // 16 MiB / 3,840 bytes.
    assertEquals(4369, AttributionJob.budgetRows(execution(16, null, null), 119, 2, 4));
    // A float64 model's values take twice the memory: half the rows.
    assertEquals(2184, AttributionJob.budgetRows(execution(16, null, null), 119, 2, 8));
  }

  @Test
  void cpuCallsDefaultToCacheSizedCallsAndGpuCallsToTheBudget() {
    ExecutionConfig defaults = execution(null, null, null);
    assertEquals(Defaults.CPU_CALL_ROWS, AttributionJob.callRows(defaults, 65_536, false));
    assertEquals(65_536, AttributionJob.callRows(defaults, 65_536, true));
    assertEquals(300, AttributionJob.callRows(defaults, 300, false), "the budget caps the default");
  }

  @Test
  void configuredCallRowsWinButNeverExceedTheBudget() {
    assertEquals(37, AttributionJob.callRows(execution(null, null, 37), 65_536, false));
    assertEquals(37, AttributionJob.callRows(execution(null, null, 37), 65_536, true));
    assertEquals(4369, AttributionJob.callRows(execution(null, null, 100_000), 4369, false));
  }

  @Test
  void batchesFollowTheBudgetNotTheCallSize() {
    // Integrated Gradients with 50 steps costs 51 evaluations per row.
    assertEquals(1285, AttributionJob.batchRows(execution(null, null, 37), 65_536, 51));
    assertEquals(AttributionJob.MAX_BATCH_ROWS, AttributionJob.batchRows(execution(null, null, null), 65_536, 1));
    assertEquals(1, AttributionJob.batchRows(execution(null, null, null), 65_536, 20_721 * 10));
    assertEquals(7, AttributionJob.batchRows(execution(null, 7, null), 65_536, 51));
  }
}
