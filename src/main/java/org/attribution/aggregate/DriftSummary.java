package org.attribution.aggregate;

import java.util.List;

/**
 * Drift of a whole run against the run it is compared with.
 *
 * @param previousRunId the run compared with
 * @param k the depth of the rank agreement score
 * @param targets one entry per target present in both runs
 * @param significantChanges features whose confidence intervals no longer overlap, over all targets
 * @param threshold the gate's threshold on {@code 1 - nDCG@k}; null when no gate is set
 * @param gateFailed whether some target's {@code 1 - nDCG@k} passed the threshold, or more
 *     features changed significantly than the gate allows; never when {@code gateSkipped}
 * @param warning how the two runs differ in method or model name; null when they ran the same
 *     method on a model of the same name
 * @param gateSkipped whether a gate is set but was not applied, because the runs used different
 *     methods: their attributions measure different things
 */
public record DriftSummary(
    String previousRunId, int k, List<TargetDrift> targets, int significantChanges, Double threshold,
    boolean gateFailed, String warning, boolean gateSkipped) {

  public DriftSummary {
    targets = List.copyOf(targets);
  }

  /**
   * Rank agreement for one target.
   *
   * @param target the explained output
   * @param targetName its label
   * @param ndcgAtK nDCG@k of this run's top k features, graded by the previous run's importance
   *     (1 = the same top k in the same order)
   */
  public record TargetDrift(int target, String targetName, double ndcgAtK) {}
}
