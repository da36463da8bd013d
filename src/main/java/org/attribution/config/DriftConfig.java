package org.attribution.config;

import java.io.Serializable;

/**
 * How a run is compared with an earlier run of the same audit, and when that fails the job.
 *
 * @param compareTo {@code previous} (the latest earlier run with the same job name and method) or a
 *     run id
 * @param topK depth of the rank agreement score nDCG@k
 * @param maxRankDisagreement the gate: fail when {@code 1 - nDCG@k} of some target is above this;
 *     absent means no gate on ranks
 * @param maxSignificantChanges the gate: fail when more features than this changed significantly
 *     (95% confidence intervals that no longer overlap); absent means no gate on changes
 */
public record DriftConfig(String compareTo, Integer topK, Double maxRankDisagreement, Integer maxSignificantChanges)
    implements Serializable {

  public DriftConfig {
    compareTo = compareTo == null ? Defaults.DRIFT_COMPARE_TO : compareTo;
    topK = topK == null ? Defaults.DRIFT_TOP_K : topK;
  }

  /** Whether either gate is set. */
  public boolean gated() {
    return maxRankDisagreement != null || maxSignificantChanges != null;
  }
}
