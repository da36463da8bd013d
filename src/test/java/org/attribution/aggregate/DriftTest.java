package org.attribution.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Drift between two runs' overall rows, against hand-computed answers. */
class DriftTest {

  /** An overall row with a symmetric interval of half-width {@code halfWidth}. */
  static ImportanceRow row(String feature, double meanAbs, double halfWidth, int rank) {
    return new ImportanceRow(null, null, 0, "t", feature, 100, meanAbs, 0, 1, halfWidth / 1.96,
        meanAbs - halfWidth, meanAbs + halfWidth, 0, 0.5, rank, false);
  }

  static List<ImportanceRow> run(double a, double b, double c) {
    List<ImportanceRow> rows = new ArrayList<>(List.of(row("a", a, 0.05, 0), row("b", b, 0.05, 0),
        row("c", c, 0.05, 0)));
    rows.sort((x, y) -> Double.compare(y.meanAbsAttribution(), x.meanAbsAttribution()));
    List<ImportanceRow> ranked = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      ImportanceRow r = rows.get(i);
      ranked.add(row(r.feature(), r.meanAbsAttribution(), 0.05, i + 1));
    }
    return ranked;
  }

  @Test
  void sameImportanceIsNoDrift() {
    Drift.Result result = Drift.compare("r1", run(3, 2, 1), run(3, 2, 1), 3, 0.0, 0);
    assertEquals(1.0, result.summary().targets().get(0).ndcgAtK(), 1e-15);
    assertEquals(0, result.summary().significantChanges());
    assertFalse(result.summary().gateFailed());
    result.rows().forEach(r -> assertEquals(0, r.rankChange()));
  }

  @Test
  void ndcgGradesTheNewOrderByTheOldImportance() {
    // Now b > a > c; relevance from the old run: a = 3, b = 2, c = 1.
    Drift.Result result = Drift.compare("r1", run(3, 2, 1), run(2, 3, 1), 2, null, null);
    double dcg = 2 / log2(2) + 3 / log2(3);
    double idcg = 3 / log2(2) + 2 / log2(3);
    assertEquals(dcg / idcg, result.summary().targets().get(0).ndcgAtK(), 1e-15);
    DriftRow a = result.rows().stream().filter(r -> r.feature().equals("a")).findFirst().orElseThrow();
    assertEquals(-1, a.rankChange(), "a fell from 1 to 2");
    assertEquals(-1.0, a.change(), 1e-15);
    assertEquals(-1.0 / 3, a.relativeChange(), 1e-15);
    assertTrue(a.significant(), "[1.95, 2.05] and [2.95, 3.05] do not overlap");
  }

  @Test
  void overlappingIntervalsAreNotSignificant() {
    Drift.Result result = Drift.compare("r1", run(3, 2, 1), run(3.08, 2, 1), 3, null, null);
    assertEquals(0, result.summary().significantChanges());
  }

  @Test
  void gatesFailOnlyPastTheirThresholds() {
    double disagreement = 1 - Drift.compare("r1", run(3, 2, 1), run(2, 3, 1), 3, null, null)
        .summary().targets().get(0).ndcgAtK();
    assertTrue(Drift.compare("r1", run(3, 2, 1), run(2, 3, 1), 3, disagreement - 1e-9, null).summary().gateFailed());
    assertFalse(Drift.compare("r1", run(3, 2, 1), run(2, 3, 1), 3, disagreement + 1e-9, null).summary().gateFailed());
    assertTrue(Drift.compare("r1", run(3, 2, 1), run(2, 3, 1), 3, null, 1).summary().gateFailed(), "2 changed");
    assertFalse(Drift.compare("r1", run(3, 2, 1), run(2, 3, 1), 3, null, 2).summary().gateFailed());
  }

  @Test
  void newAndRemovedFeaturesAreReported() {
    List<ImportanceRow> now = List.of(row("a", 3, 0.05, 1), row("d", 2, 0.05, 2));
    Drift.Result result = Drift.compare("r1", run(3, 2, 1), now, 3, null, null);
    DriftRow d = result.rows().stream().filter(r -> r.feature().equals("d")).findFirst().orElseThrow();
    assertTrue(Double.isNaN(d.previousMeanAbs()));
    assertNull(d.previousRank());
    DriftRow c = result.rows().stream().filter(r -> r.feature().equals("c")).findFirst().orElseThrow();
    assertTrue(Double.isNaN(c.currentMeanAbs()));
    assertNull(c.rankChange());
    assertEquals(4, result.rows().size());
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }
}
