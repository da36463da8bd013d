package org.attribution.bench;

import java.nio.file.Path;

/**
 * Throwaway analysis (issue 18): how much of an antithetic permutation pair's variance lies
 * between positions (sizes of the predecessor set), i.e. what perfect stratification by position
 * would remove.
 */
public final class PositionVariance {
  public static void main(String[] args) {
    for (String which : args[0].split(",")) {
      AccuracyProblems problem = switch (which) {
        case "17" -> AccuracyProblems.seventeen(Path.of("target/accuracy-data"));
        case "20" -> AccuracyProblems.twenty(Path.of("target/accuracy-data"));
        case "tanh17" -> AccuracyProblems.tanh(17, 16, 17);
        default -> AccuracyProblems.tanh(20, 8, 20);
      };
      int m = problem.players();
      int all = (1 << m) - 1;
      double total = 0;
      double within = 0;
      for (int r = 0; r < problem.rows(); r++) {
        double[] v = problem.values()[r];
        for (int i = 0; i < m; i++) {
          int bit = 1 << i;
          double[] sum = new double[m];
          double[] sumSq = new double[m];
          double[] count = new double[m];
          for (int p = 0; p <= all; p++) {
            if ((p & bit) != 0) {
              continue;
            }
            int q = all & ~p & ~bit;
            double e = 0.5 * ((v[p | bit] - v[p]) + (v[q | bit] - v[q]));
            int k = Integer.bitCount(p);
            int cls = Math.min(k, m - 1 - k);
            sum[cls] += e;
            sumSq[cls] += e * e;
            count[cls]++;
          }
          // Positions are uniform over 0..m-1; class c holds positions c and m-1-c.
          double mean = 0;
          double second = 0;
          double w = 0;
          for (int c = 0; c < m; c++) {
            if (count[c] == 0) {
              continue;
            }
            double share = (c == m - 1 - c ? 1.0 : 2.0) / m;
            double mu = sum[c] / count[c];
            double var = sumSq[c] / count[c] - mu * mu;
            mean += share * mu;
            second += share * sumSq[c] / count[c];
            w += share * var;
          }
          total += second - mean * mean;
          within += w;
        }
      }
      System.out.printf("%s: within-position share of pair variance %.3f (sd ratio %.3f)%n", which,
          within / total, Math.sqrt(within / total));
    }
  }
}
