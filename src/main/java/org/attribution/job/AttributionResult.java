package org.attribution.job;

import org.attribution.aggregate.Drift;
import org.attribution.aggregate.ImportanceSummary;
import org.attribution.output.RunManifest;
import org.attribution.output.RunStore;

/**
 * What a finished run produced.
 *
 * @param runId the run's id
 * @param manifest the run manifest, as written
 * @param importance global importance, overall and per segment, as written
 * @param drift the comparison with an earlier run; null for the first run of an audit
 * @param store where the outputs are
 */
public record AttributionResult(
    String runId, RunManifest manifest, ImportanceSummary importance, Drift.Result drift, RunStore store) {

  /** Whether the drift gate (if one is set) failed. */
  public boolean driftGateFailed() {
    return drift != null && drift.summary().gateFailed();
  }
}
