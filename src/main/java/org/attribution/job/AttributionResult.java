package org.attribution.job;

import java.util.List;
import org.attribution.aggregate.TargetImportance;
import org.attribution.output.OutputLayout;
import org.attribution.output.RunManifest;

/**
 * What a finished run produced.
 *
 * @param manifest the run manifest, as written
 * @param importance global importance per target, as written
 * @param layout where the outputs are
 */
public record AttributionResult(RunManifest manifest, List<TargetImportance> importance, OutputLayout layout) {

  public AttributionResult {
    importance = List.copyOf(importance);
  }
}
