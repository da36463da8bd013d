package org.attribution.aggregate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.attribution.method.PermutationMetric;

/**
 * Permutation importance in the global importance table's terms. The "attribution" of a player in
 * one repeat is the metric's drop when that player is permuted ({@link PermutationMetric#drop}:
 * positive when the model got worse). Over the repeats:
 *
 * <ul>
 *   <li>{@code mean_abs_attribution}: the mean of |drop|, the importance measure the table ranks
 *       by and shares are taken of;
 *   <li>{@code mean_attribution}: the mean drop, signed (negative when permuting the player made
 *       the model better on average);
 *   <li>{@code std_attribution}: the drops' sample standard deviation over repeats;
 *   <li>{@code se_mean_abs_attribution}: that over √repeats;
 *   <li>{@code ci95_low}, {@code ci95_high}: the Student-t 95% interval of the mean drop over the
 *       repeats (undefined for one repeat). It measures how much the result depends on the
 *       permutations drawn, for this dataset and model; not the sampling error of the dataset;
 *   <li>{@code positive_share}: the share of repeats whose drop is above 0;
 *   <li>{@code rows}: the rows the metric was measured on.
 * </ul>
 */
public final class PermutationSummary {

  private PermutationSummary() {}

  /**
   * The importance rows and quality of one run.
   *
   * @param metric the metric
   * @param original the metric on the data as it is
   * @param permuted {@code [repeat][player]}: the metric with that player permuted in that repeat
   * @param rows rows measured
   * @param target the scored output (0 when the metric reads every output)
   * @param targetName its label
   * @param players the players' names
   */
  public static ImportanceSummary of(PermutationMetric metric, double original, double[][] permuted, long rows,
      int target, String targetName, List<String> players) {
    int repeats = permuted.length;
    int n = players.size();
    Moments[] absolute = new Moments[n];
    Moments[] signed = new Moments[n];
    long[] positive = new long[n];
    for (int p = 0; p < n; p++) {
      double[] drops = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        drops[r] = metric.drop(original, permuted[r][p]);
        positive[p] += drops[r] > 0 ? 1 : 0;
      }
      signed[p] = moments(drops);
      absolute[p] = moments(Arrays.stream(drops).map(Math::abs).toArray());
    }
    double total = Arrays.stream(absolute).mapToDouble(Moments::mean).sum();
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.<Integer>comparingDouble(i -> -absolute[i].mean()).thenComparing(players::get));
    double t = repeats < 2 ? Double.NaN : new TDistribution(null, repeats - 1).inverseCumulativeProbability(0.975);
    List<ImportanceRow> out = new ArrayList<>();
    for (int rank = 0; rank < n; rank++) {
      int p = order[rank];
      double halfWidth = t * signed[p].standardError();
      out.add(new ImportanceRow(null, null, target, targetName, players.get(p), rows, absolute[p].mean(),
          signed[p].mean(), signed[p].sampleStd(), signed[p].standardError(), signed[p].mean() - halfWidth,
          signed[p].mean() + halfWidth, total == 0 ? 0 : absolute[p].mean() / total, (double) positive[p] / repeats,
          rank + 1, false));
    }
    // No completeness to speak of: the gap is undefined, which flags nothing.
    QualityStats quality = new QualityStats(rows, Double.NaN, Double.NaN, Double.NaN, 0);
    return new ImportanceSummary(out, List.of(new TargetQuality(target, targetName, quality)));
  }

  private static Moments moments(double[] values) {
    double mean = Arrays.stream(values).sum() / values.length;
    double m2 = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum();
    return new Moments(values.length, mean, m2);
  }
}
