package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.attribution.output.RunStore;
import org.junit.jupiter.api.Test;

/** Default run ids are valid whatever the job's name. */
class RunIdTest {

  @Test
  void aDefaultRunIdIsValidForAnyJobName() {
    for (String name : new String[] {"lending-club", "2026-audit", "audit of Q3 (draft)", "x".repeat(300), "_"}) {
      String id = AttributionJob.newRunId(name);
      assertEquals(id, RunStore.checkRunId(id));
    }
    assertTrue(AttributionJob.newRunId("2026-audit").startsWith("run_2026-audit-"));
    assertTrue(AttributionJob.newRunId("lending-club").matches("lending-club-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{4}"));
  }
}
