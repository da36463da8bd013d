package org.attribution.aggregate;

import java.util.List;

/**
 * Global importance of a run: every (segment, target, feature) row, and completeness per target.
 *
 * @param rows overall rows first (by target, then rank), then segment rows (by segment column,
 *     value, target, rank)
 * @param quality one entry per explained target, by target index
 */
public record ImportanceSummary(List<ImportanceRow> rows, List<TargetQuality> quality) {

  public ImportanceSummary {
    rows = List.copyOf(rows);
    quality = List.copyOf(quality);
  }

  /** The overall rows of one target, by rank. */
  public List<ImportanceRow> overall(int target) {
    return rows.stream().filter(r -> r.overall() && r.target() == target).toList();
  }

  /** Result rows with finite values, over all targets. */
  public long resultRows() {
    return quality.stream().mapToLong(q -> q.stats().rows()).sum();
  }

  /** Result rows left out because the model gave them non-finite values, over all targets. */
  public long nonFiniteRows() {
    return quality.stream().mapToLong(q -> q.stats().nonFinite()).sum();
  }
}
