package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class MemoryAdviceTest {

  @Test
  void aFailedAllocationSaysWhichSettingToLower() {
    // As libtorch words it, wrapped by the model adapter.
    RuntimeException engine = new IllegalStateException("Cannot run model m.pt: [enforce fail at alloc_cpu.cpp:117]"
        + " data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 68719476736 bytes.");
    RuntimeException advice = MemoryAdvice.forBatch(engine, 1285, 65_536, 256);
    assertEquals("Cannot explain a batch of 1,285 rows: it ran out of memory in model calls of up to 65,536 rows;"
        + " lower execution.memory_budget_mb (now 256) or set execution.call_rows or execution.batch_rows lower, or"
        + " give executors more memory overhead", advice.getMessage());
    assertSame(engine, advice.getCause());
    assertEquals(advice.getMessage(), MemoryAdvice.forBatch(
        new IllegalStateException(new OutOfMemoryError("Java heap space")), 1285, 65_536, 256).getMessage());
    assertEquals(advice.getMessage(), MemoryAdvice.forBatch(
        new IllegalStateException("CUDA out of memory. Tried to allocate 2.00 GiB"), 1285, 65_536, 256).getMessage());
  }

  @Test
  void otherFailuresAreReportedAsTheyAre() {
    RuntimeException other = new IllegalStateException("Cannot run model m.pt: shapes cannot be multiplied");
    assertSame(other, MemoryAdvice.forBatch(other, 10, 100, 256));
  }
}
