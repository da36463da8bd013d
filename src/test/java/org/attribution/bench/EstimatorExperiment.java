package org.attribution.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.attribution.method.ConstrainedWeightedLeastSquares;
import org.attribution.method.ShapleyKernelSampler;
import org.attribution.method.WeightedCoalitions;

/**
 * Throwaway experiment (issue 18): Kernel SHAP and sampling Shapley variants on the accuracy
 * problems' tables, at the same evaluations per row. Usage: EstimatorExperiment PROBLEMS REPEATS
 * VARIANTS, e.g. {@code tanh17,tanh20 5 ks,ks-ra,ks-cf,ss,ss-ra,ss-cf}.
 */
public final class EstimatorExperiment {

  /** An estimate for one row. */
  record Estimate(double[] phi, double[] se, int evaluations, long nanos) {}

  interface Estimator {
    Estimate run(double[] table, int players, long seed);
  }

  // Tree settings (overridable by system properties).
  static final int TREES = Integer.getInteger("trees", 100);
  static final int DEPTH = Integer.getInteger("depth", 4);
  static final double RATE = Double.parseDouble(System.getProperty("rate", "0.1"));
  static final int MIN_LEAF = Integer.getInteger("minLeaf", 5);
  static final boolean KERNEL_WEIGHTS = Boolean.getBoolean("kernelWeights");
  static final boolean FROM_LINEAR = Boolean.getBoolean("fromLinear");
  static final boolean ODD = Boolean.getBoolean("odd");
  static final int FOLDS = Integer.getInteger("folds", 2);

  /** The odd part's targets {@code (y(S) + delta - y(N - S)) / 2} where the complement is present. */
  static double[] oddTargets(long[] s, double[] y, double delta, long fullMask) {
    java.util.HashMap<Long, Double> byMask = new java.util.HashMap<>();
    for (int k = 0; k < s.length; k++) {
      byMask.put(s[k], y[k]);
    }
    double[] out = new double[s.length];
    for (int k = 0; k < s.length; k++) {
      Double other = byMask.get(fullMask & ~s[k]);
      out[k] = other == null ? y[k] : (y[k] + delta - other) / 2;
    }
    return out;
  }

  public static void main(String[] args) {
    List<String> problems = List.of(args[0].split(","));
    int repeats = Integer.parseInt(args[1]);
    List<String> variants = List.of(args[2].split(","));
    Path cacheDir = Path.of("target/accuracy-data");
    System.out.printf("trees %d depth %d rate %.3f minLeaf %d kernelWeights %s fromLinear %s%n",
        TREES, DEPTH, RATE, MIN_LEAF, KERNEL_WEIGHTS, FROM_LINEAR);
    for (String which : problems) {
      AccuracyProblems problem = switch (which) {
        case "17" -> AccuracyProblems.seventeen(cacheDir);
        case "20" -> AccuracyProblems.twenty(cacheDir);
        case "sample17" -> AccuracyProblems.sampleSeventeen(cacheDir);
        case "sample20" -> AccuracyProblems.sampleTwenty(cacheDir);
        case "tanh17" -> AccuracyProblems.tanh(17, 16, 17);
        case "tanh20" -> AccuracyProblems.tanh(20, 8, 20);
        default -> throw new IllegalArgumentException(which);
      };
      int players = problem.players();
      System.out.printf("%n### %s (%s), %d rows, %d repeats%n", which, problem.name(), problem.rows(), repeats);
      System.out.println("| variant | coalitions/row | rel MAE | within 1.96 se | max gap | ms/row |");
      System.out.println("|---|--:|--:|--:|--:|--:|");
      for (String variant : variants) {
        Estimator estimator = estimator(variant, players);
        double absError = 0;
        double absExact = 0;
        long covered = 0;
        long withError = 0;
        long evaluations = 0;
        long nanos = 0;
        double maxGap = 0;
        for (int repeat = 1; repeat <= repeats; repeat++) {
          for (int r = 0; r < problem.rows(); r++) {
            long seed = repeat * 0x9E3779B97F4A7C15L + r;
            double[] table = problem.values()[r];
            Estimate e = estimator.run(table, players, seed);
            double[] exact = problem.exact()[r];
            double sum = 0;
            for (int p = 0; p < players; p++) {
              double error = Math.abs(e.phi[p] - exact[p]);
              absError += error;
              absExact += Math.abs(exact[p]);
              sum += e.phi[p];
              if (Double.isFinite(e.se[p]) && e.se[p] > 0) {
                withError++;
                covered += error <= 1.96 * e.se[p] ? 1 : 0;
              }
            }
            maxGap = Math.max(maxGap, Math.abs(sum - (table[table.length - 1] - table[0])));
            evaluations += e.evaluations;
            nanos += e.nanos;
          }
        }
        int n = problem.rows() * repeats;
        System.out.printf("| %s | %.0f | %.2f%% | %.1f%% | %.1e | %.1f |%n", variant, (double) evaluations / n,
            100 * absError / absExact, 100.0 * covered / Math.max(1, withError), maxGap, nanos / 1e6 / n);
      }
    }
  }

  static Estimator estimator(String variant, int players) {
    int budget = ShapleyKernelSampler.defaultBudget(players);
    ShapleyKernelSampler sampler = new ShapleyKernelSampler(players, budget);
    return switch (variant) {
      case "ks-ss" -> (table, m, seed) -> kernel(new ShapleyKernelSampler(m, 32 * (m - 1)), table, m, seed, 0);
      case "ks-ss-cf" -> (table, m, seed) -> kernel(new ShapleyKernelSampler(m, 32 * (m - 1)), table, m, seed, 2);
      case "ks" -> (table, m, seed) -> kernel(sampler, table, m, seed, 0);
      case "ks-ra" -> (table, m, seed) -> kernel(sampler, table, m, seed, 1);
      case "ks-cf" -> (table, m, seed) -> kernel(sampler, table, m, seed, 2);
      case "ss" -> (table, m, seed) -> sampling(table, m, seed, 16, 0);
      case "ss-ra" -> (table, m, seed) -> sampling(table, m, seed, 16, 1);
      case "ss-cf" -> (table, m, seed) -> sampling(table, m, seed, 16, 2);
      case "ss-reg" -> (table, m, seed) -> kernel(permutationCoalitions(m, seed, 16), table, m, seed, 0);
      case "ss-reg-cf" -> (table, m, seed) -> kernel(permutationCoalitions(m, seed, 16), table, m, seed, 2);
      default -> throw new IllegalArgumentException(variant);
    };
  }

  // ---------------------------------------------------------------- Kernel SHAP

  static long bits(boolean[] masks, int k, int players) {
    long s = 0;
    for (int p = 0; p < players; p++) {
      if (masks[k * players + p]) {
        s |= 1L << p;
      }
    }
    return s;
  }

  /** mode 0: plain; 1: tree surrogate on all coalitions; 2: cross-fitted over two folds of pairs. */
  static Estimate kernel(ShapleyKernelSampler sampler, double[] table, int players, long seed, int mode) {
    return kernel(sampler.sample(new SplittableRandom(seed)), table, players, seed, mode);
  }

  /**
   * Sampling Shapley's coalitions (the proper prefixes of {@code pairs} orderings and of their
   * reverses) as Kernel SHAP regression data: forward prefix k next to its complement, reverse
   * prefix M - k; each weighted by the kernel mass of its size over the 2 pairs coalitions of that
   * size; a cluster per ordering pair.
   */
  static WeightedCoalitions permutationCoalitions(int players, long seed, int pairs) {
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[players];
    int n = pairs * 2 * (players - 1);
    boolean[] masks = new boolean[n * players];
    double[] weights = new double[n];
    int[] pairOf = new int[n];
    int[] draws = new int[pairs];
    Arrays.fill(draws, 1);
    double total = 0;
    for (int k = 1; k < players; k++) {
      total += (players - 1.0) / (k * (double) (players - k));
    }
    int at = 0;
    for (int u = 0; u < pairs; u++) {
      for (int i = 0; i < players; i++) {
        int j = random.nextInt(i + 1);
        order[i] = order[j];
        order[j] = i;
      }
      for (int k = 1; k < players; k++) {
        double w = (players - 1.0) / (k * (double) (players - k)) / total / (2.0 * pairs);
        for (int t = 0; t < players; t++) {
          masks[at * players + order[t]] = t < k;
          masks[(at + 1) * players + order[t]] = t >= k;
        }
        weights[at] = weights[at + 1] = w;
        pairOf[at] = pairOf[at + 1] = u;
        at += 2;
      }
    }
    return new WeightedCoalitions(players, masks, weights, pairOf, draws);
  }

  static Estimate kernel(WeightedCoalitions c, double[] table, int players, long seed, int mode) {
    long start = System.nanoTime();
    int n = c.count();
    long[] s = new long[n];
    double[] y = new double[n];
    double base = table[0];
    double full = table[table.length - 1];
    double delta = full - base;
    for (int k = 0; k < n; k++) {
      s[k] = bits(c.masks(), k, players);
      y[k] = (float) table[(int) s[k]] - base;
    }
    if (mode == 0) {
      double[][] fit = ksFit(c, y, delta, null);
      return new Estimate(fit[0], fit[1], n, System.nanoTime() - start);
    }
    if (mode == 1) {
      TreeSurrogate g = surrogate(players, s, y, c.weights(), delta, all(n), c, y, delta);
      double[][] fit = residualFit(g, c, s, y, delta, null);
      return new Estimate(fit[0], fit[1], n, System.nanoTime() - start);
    }
    // Cross-fitting: fold f = enumerated + pairs of parity f.
    double[] phi = new double[players];
    double[] variance = new double[players];
    for (int f = 0; f < FOLDS; f++) {
      boolean[] train = new boolean[n];
      boolean[] test = new boolean[n];
      for (int k = 0; k < n; k++) {
        int pair = c.pairOf()[k];
        train[k] = pair < 0 || pair % FOLDS != f;
        test[k] = pair < 0 || pair % FOLDS == f;
      }
      TreeSurrogate g = surrogate(players, s, y, c.weights(), delta, train, c, y, delta);
      double[][] fit = residualFit(g, c, s, y, delta, test);
      for (int p = 0; p < players; p++) {
        phi[p] += fit[0][p] / FOLDS;
        variance[p] += fit[1][p] * fit[1][p] / FOLDS / FOLDS;
      }
    }
    double[] se = new double[players];
    for (int p = 0; p < players; p++) {
      se[p] = Math.sqrt(variance[p]);
    }
    return new Estimate(phi, se, n, System.nanoTime() - start);
  }

  static boolean[] all(int n) {
    boolean[] b = new boolean[n];
    Arrays.fill(b, true);
    return b;
  }

  static boolean[] fold(WeightedCoalitions c, int f) {
    boolean[] b = new boolean[c.count()];
    for (int k = 0; k < b.length; k++) {
      b[k] = c.pairOf()[k] < 0 || (c.pairOf()[k] & 1) == f;
    }
    return b;
  }

  static TreeSurrogate surrogate(int players, long[] s, double[] y, double[] weights, double delta,
      boolean[] use, WeightedCoalitions c, double[] yAll, double deltaAll) {
    List<Integer> idx = new ArrayList<>();
    for (int k = 0; k < s.length; k++) {
      if (use[k]) {
        idx.add(k);
      }
    }
    int m = idx.size();
    // Plus the empty (0) and full (delta) coalitions, known for free.
    long[] ts = new long[m + 2];
    double[] ty = new double[m + 2];
    double[] tw = new double[m + 2];
    for (int i = 0; i < m; i++) {
      int k = idx.get(i);
      ts[i] = s[k];
      ty[i] = y[k];
      tw[i] = KERNEL_WEIGHTS ? weights[k] : 1;
    }
    long fullMask = players == 64 ? -1L : (1L << players) - 1;
    ts[m] = 0;
    ty[m] = 0;
    ts[m + 1] = fullMask;
    ty[m + 1] = delta;
    double wMax = 0;
    for (int i = 0; i < m; i++) {
      wMax = Math.max(wMax, tw[i]);
    }
    tw[m] = tw[m + 1] = KERNEL_WEIGHTS ? wMax : 1;
    if (ODD) {
      ty = oddTargets(ts, ty, delta, fullMask);
    }
    double[] startValues = null;
    if (FROM_LINEAR) {
      // Start from the plain Kernel SHAP additive fit on the training coalitions.
      double[][] fit = ksFit(c, yAll, deltaAll, use);
      startValues = new double[m + 2];
      for (int i = 0; i < m + 2; i++) {
        double sum = 0;
        for (long b = ts[i]; b != 0; b &= b - 1) {
          sum += fit[0][Long.numberOfTrailingZeros(b)];
        }
        startValues[i] = sum;
      }
      TreeSurrogate trees = TreeSurrogate.fit(players, ts, ty, tw, startValues, TREES, DEPTH, RATE, MIN_LEAF);
      List<TreeSurrogate.Leaf> leaves = new ArrayList<>(trees.leaves);
      for (int p = 0; p < players; p++) {
        leaves.add(new TreeSurrogate.Leaf(1L << p, 0, fit[0][p]));
      }
      return newSurrogate(players, 0, leaves);
    }
    return TreeSurrogate.fit(players, ts, ty, tw, null, TREES, DEPTH, RATE, MIN_LEAF);
  }

  static TreeSurrogate newSurrogate(int players, double intercept, List<TreeSurrogate.Leaf> leaves) {
    return new TreeSurrogate(players, intercept, leaves);
  }

  /** phi(g) + Kernel SHAP on v - g over the coalitions in {@code use} (all if null). */
  static double[][] residualFit(TreeSurrogate g, WeightedCoalitions c, long[] s, double[] y, double delta,
      boolean[] use) {
    int players = c.players();
    long fullMask = (1L << players) - 1;
    double g0 = g.predict(0);
    double gDelta = g.predict(fullMask) - g0;
    double[] ry = new double[s.length];
    for (int k = 0; k < s.length; k++) {
      ry[k] = y[k] - (g.predict(s[k]) - g0);
    }
    double[][] fit = ksFit(c, ry, delta - gDelta, use);
    double[] phiG = g.shapley();
    // phi(g) sums to gDelta; the residual fit to delta - gDelta.
    for (int p = 0; p < players; p++) {
      fit[0][p] += phiG[p];
    }
    return fit;
  }

  /**
   * Kernel SHAP's fit (as KernelShap.fitRow) over the coalitions in {@code use} (all if null); the
   * sampled pairs kept get the sampled mass in proportion to their draws.
   */
  static double[][] ksFit(WeightedCoalitions c, double[] y, double delta, boolean[] use) {
    int players = c.players();
    int n = c.count();
    boolean[] masks = c.masks();
    double[] weights = c.weights().clone();
    int[] pairOf = c.pairOf();
    int[] pairDraws = c.pairDraws();
    int[] newPair = new int[pairDraws.length];
    Arrays.fill(newPair, -1);
    int keptPairs = 0;
    List<Integer> keptDraws = new ArrayList<>();
    if (use != null) {
      long drawnAll = 0;
      long drawn = 0;
      for (int d : pairDraws) {
        drawnAll += d;
      }
      for (int k = 0; k < n; k++) {
        if (pairOf[k] >= 0 && use[k] && newPair[pairOf[k]] < 0) {
          newPair[pairOf[k]] = keptPairs++;
          keptDraws.add(pairDraws[pairOf[k]]);
          drawn += pairDraws[pairOf[k]];
        }
      }
      for (int k = 0; k < n; k++) {
        if (pairOf[k] >= 0) {
          weights[k] *= (double) drawnAll / drawn;
        }
      }
    } else {
      for (int i = 0; i < pairDraws.length; i++) {
        newPair[i] = i;
        keptDraws.add(pairDraws[i]);
      }
    }
    boolean[] fitMasks = new boolean[n * players];
    double[] fitY = new double[n];
    double[] fitWeights = new double[n];
    int[] clusterOf = new int[n];
    int rows = 0;
    for (int k = 0; k < n; k++) {
      if (use != null && !use[k]) {
        continue;
      }
      System.arraycopy(masks, k * players, fitMasks, rows * players, players);
      clusterOf[rows] = pairOf[k] < 0 ? -1 : newPair[pairOf[k]];
      if (k + 1 < n && pairOf[k] >= 0 && pairOf[k + 1] == pairOf[k] && weights[k + 1] == weights[k]
          && complementary(masks, k, k + 1, players)) {
        fitY[rows] = (y[k] + delta - y[k + 1]) / 2;
        fitWeights[rows] = 2 * weights[k];
        k++;
      } else if (k + 1 < n && pairOf[k] < 0 && weights[k + 1] == weights[k] && pairOf[k + 1] < 0
          && complementary(masks, k, k + 1, players)) {
        fitY[rows] = (y[k] + delta - y[k + 1]) / 2;
        fitWeights[rows] = 2 * weights[k];
        k++;
      } else {
        fitY[rows] = y[k];
        fitWeights[rows] = weights[k];
      }
      rows++;
    }
    ConstrainedWeightedLeastSquares fit = ConstrainedWeightedLeastSquares.solve(
        Arrays.copyOf(fitMasks, rows * players), players, Arrays.copyOf(fitY, rows),
        Arrays.copyOf(fitWeights, rows), delta);
    int[] draws = keptDraws.stream().mapToInt(Integer::intValue).toArray();
    return new double[][] {fit.coefficients(), fit.standardErrors(Arrays.copyOf(clusterOf, rows), draws)};
  }

  static boolean complementary(boolean[] masks, int a, int b, int players) {
    for (int p = 0; p < players; p++) {
      if (masks[a * players + p] == masks[b * players + p]) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- sampling Shapley

  /** mode 0: plain antithetic permutations; 1: tree surrogate on all prefixes; 2: cross-fitted. */
  static Estimate sampling(double[] table, int players, long seed, int pairs, int mode) {
    SplittableRandom random = new SplittableRandom(seed);
    int[][] orders = new int[pairs][players];
    for (int u = 0; u < pairs; u++) {
      for (int i = 0; i < players; i++) {
        int j = random.nextInt(i + 1);
        orders[u][i] = orders[u][j];
        orders[u][j] = i;
      }
    }
    long start = System.nanoTime();
    long fullMask = (1L << players) - 1;
    double base = table[0];
    double delta = table[table.length - 1] - base;
    // Prefix coalitions: per pair 2 (M - 1).
    int perPair = 2 * (players - 1);
    long[] s = new long[pairs * perPair];
    double[] y = new double[s.length];
    for (int u = 0; u < pairs; u++) {
      long forward = 0;
      long backward = 0;
      for (int k = 1; k < players; k++) {
        forward |= 1L << orders[u][k - 1];
        backward |= 1L << orders[u][players - k];
        s[u * perPair + k - 1] = forward;
        s[u * perPair + players - 1 + k - 1] = backward;
      }
    }
    for (int k = 0; k < s.length; k++) {
      y[k] = (float) table[(int) s[k]] - base;
    }
    if (mode == 0) {
      double[][] est = pairMeans(orders, s, y, delta, players, 0, pairs, 1);
      return new Estimate(est[0], est[1], s.length, System.nanoTime() - start);
    }
    if (mode == 1) {
      TreeSurrogate g = fitTrees(players, s, y, delta, 0, pairs, 1, perPair);
      double[][] est = residualPairs(g, orders, s, y, delta, players, 0, pairs, 1);
      return new Estimate(est[0], est[1], s.length, System.nanoTime() - start);
    }
    double[] phi = new double[players];
    double[] variance = new double[players];
    for (int f = 0; f < 2; f++) {
      TreeSurrogate g = fitTrees(players, s, y, delta, f, pairs, 2, perPair);
      double[][] est = residualPairs(g, orders, s, y, delta, players, 1 - f, pairs, 2);
      for (int p = 0; p < players; p++) {
        phi[p] += est[0][p] / 2;
        variance[p] += est[1][p] * est[1][p] / 4;
      }
    }
    double[] se = new double[players];
    for (int p = 0; p < players; p++) {
      se[p] = Math.sqrt(variance[p]);
    }
    return new Estimate(phi, se, s.length, System.nanoTime() - start);
  }

  static TreeSurrogate fitTrees(int players, long[] s, double[] y, double delta, int first, int pairs, int step,
      int perPair) {
    List<Integer> idx = new ArrayList<>();
    for (int u = first; u < pairs; u += step) {
      for (int k = 0; k < perPair; k++) {
        idx.add(u * perPair + k);
      }
    }
    int m = idx.size();
    long[] ts = new long[m + 2];
    double[] ty = new double[m + 2];
    double[] tw = new double[m + 2];
    Arrays.fill(tw, 1);
    for (int i = 0; i < m; i++) {
      ts[i] = s[idx.get(i)];
      ty[i] = y[idx.get(i)];
    }
    ts[m + 1] = (1L << players) - 1;
    ty[m + 1] = delta;
    if (ODD) {
      ty = oddTargets(ts, ty, delta, ts[m + 1]);
    }
    return TreeSurrogate.fit(players, ts, ty, tw, null, TREES, DEPTH, RATE, MIN_LEAF);
  }

  static double[][] residualPairs(TreeSurrogate g, int[][] orders, long[] s, double[] y, double delta,
      int players, int first, int pairs, int step) {
    long fullMask = (1L << players) - 1;
    double g0 = g.predict(0);
    double[] ry = new double[s.length];
    for (int k = 0; k < s.length; k++) {
      ry[k] = y[k] - (g.predict(s[k]) - g0);
    }
    double[][] est = pairMeans(orders, s, ry, delta - (g.predict(fullMask) - g0), players, first, pairs, step);
    double[] phiG = g.shapley();
    for (int p = 0; p < players; p++) {
      est[0][p] += phiG[p];
    }
    return est;
  }

  /** Means and standard errors of the antithetic pair estimates of pairs first, first + step, ... */
  static double[][] pairMeans(int[][] orders, long[] s, double[] y, double delta, int players, int first,
      int pairs, int step) {
    int perPair = 2 * (players - 1);
    double[] sum = new double[players];
    double[] sumSq = new double[players];
    int count = 0;
    double[] contributions = new double[players];
    for (int u = first; u < pairs; u += step) {
      Arrays.fill(contributions, 0);
      for (int direction = 0; direction < 2; direction++) {
        double previous = 0;
        for (int k = 1; k <= players; k++) {
          double current = k == players ? delta : y[u * perPair + direction * (players - 1) + k - 1];
          int joining = direction == 0 ? orders[u][k - 1] : orders[u][players - k];
          contributions[joining] += current - previous;
          previous = current;
        }
      }
      for (int p = 0; p < players; p++) {
        double e = contributions[p] / 2;
        sum[p] += e;
        sumSq[p] += e * e;
      }
      count++;
    }
    double[] mean = new double[players];
    double[] se = new double[players];
    for (int p = 0; p < players; p++) {
      mean[p] = sum[p] / count;
      double var = (sumSq[p] - count * mean[p] * mean[p]) / (count - 1);
      se[p] = Math.sqrt(Math.max(0, var) / count);
    }
    return new double[][] {mean, se};
  }
}
