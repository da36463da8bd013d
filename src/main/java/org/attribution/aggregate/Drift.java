package org.attribution.aggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Compares a run's overall importance with an earlier run's.
 *
 * <p>A feature's change is significant when the two 95% confidence intervals of its mean
 * |attribution| do not overlap: conservative (the interval of the difference is narrower), but
 * it needs nothing beyond what the importance table already holds. Rank agreement per target is
 * nDCG@k: this run's top k features, each graded by its importance in the earlier run, against
 * the earlier run's own top k; 1 means the same top k in the same order.
 */
public final class Drift {

  private Drift() {}

  /**
   * The comparison of two runs.
   *
   * @param rows one row per (target, feature) present in either run
   * @param summary the whole-run view
   */
  public record Result(List<DriftRow> rows, DriftSummary summary) {

    public Result {
      rows = List.copyOf(rows);
    }
  }

  /**
   * One of the two runs compared: what it explained, as far as comparing importance goes.
   *
   * @param runId the run
   * @param method its method's id
   * @param modelName its model's name
   */
  public record Compared(String runId, String method, String modelName) {}

  /**
   * Compares overall importance rows (segment rows are ignored) of two runs of the same method on
   * a model of the same name.
   *
   * @param previousRunId the earlier run
   * @param previous its overall rows
   * @param current this run's overall rows
   * @param k depth of nDCG@k
   * @param maxRankDisagreement gate on {@code 1 - nDCG@k}, or null
   * @param maxSignificantChanges gate on significant changes, or null
   */
  public static Result compare(String previousRunId, List<ImportanceRow> previous, List<ImportanceRow> current, int k,
      Double maxRankDisagreement, Integer maxSignificantChanges) {
    return compare(previousRunId, previous, current, k, maxRankDisagreement, maxSignificantChanges, null, true);
  }

  /**
   * Compares overall importance rows of any two runs, saying how they differ. Runs of different
   * methods are compared for information only, and the gate is not applied: Integrated Gradients
   * measures from a baseline, the SHAP methods from a background's mean output, and even methods
   * that estimate the same Shapley values differ systematically in mean |attribution| (sampling
   * noise raises it), so importance moves without the model having changed. Runs of one method on
   * models of different names are a change of model, which is what drift is for: the gate
   * applies, and the warning says that two models are compared.
   *
   * @param earlier the earlier run
   * @param previous its overall rows
   * @param now this run
   * @param current this run's overall rows
   * @param k depth of nDCG@k
   * @param maxRankDisagreement gate on {@code 1 - nDCG@k}, or null
   * @param maxSignificantChanges gate on significant changes, or null
   */
  public static Result compare(Compared earlier, List<ImportanceRow> previous, Compared now, List<ImportanceRow> current,
      int k, Double maxRankDisagreement, Integer maxSignificantChanges) {
    return compare(earlier.runId(), previous, current, k, maxRankDisagreement, maxSignificantChanges,
        warning(earlier, now), earlier.method().equals(now.method()));
  }

  /** How two runs differ in method or model name; null when they do not. */
  static String warning(Compared earlier, Compared now) {
    boolean otherModel = !earlier.modelName().equals(now.modelName());
    if (!earlier.method().equals(now.method())) {
      return "Run " + earlier.runId() + " used " + earlier.method() + (otherModel ? " on " + earlier.modelName() : "")
          + ", this run " + now.method() + (otherModel ? " on " + now.modelName() : "")
          + ": attributions of different methods measure different things, so this drift is for information only"
          + " and the drift gate is not applied";
    }
    if (otherModel) {
      return "Run " + earlier.runId() + " explained model " + earlier.modelName() + ", this run " + now.modelName()
          + ": this drift compares two models, and the drift gate applies";
    }
    return null;
  }

  private static Result compare(String previousRunId, List<ImportanceRow> previous, List<ImportanceRow> current, int k,
      Double maxRankDisagreement, Integer maxSignificantChanges, String warning, boolean gate) {
    Map<Integer, Map<String, ImportanceRow>> before = byTarget(previous);
    Map<Integer, Map<String, ImportanceRow>> after = byTarget(current);
    List<DriftRow> rows = new ArrayList<>();
    List<DriftSummary.TargetDrift> targets = new ArrayList<>();
    int significant = 0;
    boolean rankGateFailed = false;
    for (int target : new TreeSet<>(after.keySet())) {
      Map<String, ImportanceRow> then = before.getOrDefault(target, Map.of());
      Map<String, ImportanceRow> now = after.get(target);
      String targetName = now.values().iterator().next().targetName();
      TreeSet<String> features = new TreeSet<>(now.keySet());
      features.addAll(then.keySet());
      for (String feature : features) {
        DriftRow row = rowOf(target, targetName, feature, then.get(feature), now.get(feature));
        rows.add(row);
        if (row.significant()) {
          significant++;
        }
      }
      if (!then.isEmpty()) {
        double ndcg = ndcgAtK(then, now, k);
        targets.add(new DriftSummary.TargetDrift(target, targetName, ndcg));
        rankGateFailed |= maxRankDisagreement != null && 1 - ndcg > maxRankDisagreement;
      }
    }
    boolean gated = maxRankDisagreement != null || maxSignificantChanges != null;
    boolean failed = rankGateFailed || (maxSignificantChanges != null && significant > maxSignificantChanges);
    return new Result(rows, new DriftSummary(previousRunId, k, targets, significant, maxRankDisagreement,
        gate && failed, warning, gated && !gate));
  }

  private static DriftRow rowOf(int target, String targetName, String feature, ImportanceRow then, ImportanceRow now) {
    double before = then == null ? Double.NaN : then.meanAbsAttribution();
    double after = now == null ? Double.NaN : now.meanAbsAttribution();
    boolean significant = then != null && now != null
        && (now.ciLow() > then.ciHigh() || now.ciHigh() < then.ciLow());
    Integer previousRank = then == null ? null : then.rank();
    Integer currentRank = now == null ? null : now.rank();
    Integer rankChange = previousRank == null || currentRank == null ? null : previousRank - currentRank;
    return new DriftRow(target, targetName, feature, before, after, after - before, (after - before) / before,
        significant, previousRank, currentRank, rankChange);
  }

  /** nDCG@k of {@code now}'s ranking, with {@code then}'s mean |attribution| as relevance. */
  static double ndcgAtK(Map<String, ImportanceRow> then, Map<String, ImportanceRow> now, int k) {
    List<String> ranking = now.values().stream()
        .sorted(Comparator.comparingDouble(ImportanceRow::meanAbsAttribution).reversed()
            .thenComparing(ImportanceRow::feature))
        .map(ImportanceRow::feature)
        .toList();
    List<Double> ideal = then.values().stream()
        .map(ImportanceRow::meanAbsAttribution)
        .sorted(Comparator.reverseOrder())
        .toList();
    double dcg = 0;
    double idcg = 0;
    for (int i = 0; i < k; i++) {
      double discount = Math.log(i + 2) / Math.log(2);
      if (i < ranking.size()) {
        ImportanceRow earlier = then.get(ranking.get(i));
        dcg += (earlier == null ? 0 : earlier.meanAbsAttribution()) / discount;
      }
      if (i < ideal.size()) {
        idcg += ideal.get(i) / discount;
      }
    }
    return idcg == 0 ? 1 : dcg / idcg;
  }

  private static Map<Integer, Map<String, ImportanceRow>> byTarget(List<ImportanceRow> rows) {
    Map<Integer, Map<String, ImportanceRow>> byTarget = new TreeMap<>();
    for (ImportanceRow row : rows) {
      if (row.overall()) {
        byTarget.computeIfAbsent(row.target(), t -> new LinkedHashMap<>()).put(row.feature(), row);
      }
    }
    return byTarget;
  }
}
