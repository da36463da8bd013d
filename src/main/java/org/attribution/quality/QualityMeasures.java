package org.attribution.quality;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Background;
import org.attribution.method.CoalitionEvaluator;
import org.attribution.method.FeatureGroups;
import org.attribution.model.ModelFunction;

/**
 * Measures one row's explanation against the model.
 *
 * <p>A player is <em>removed</em> the way the method itself removes it, so that the measures ask
 * the question the attributions answer: for Integrated Gradients it takes the baseline's value
 * (a background of one row), for the SHAP family the output is the weighted mean of f over the
 * background rows with the removed players' columns taken from them. With every player present
 * this is f(x), with none the method's reference.
 *
 * <ul>
 *   <li><b>Deletion</b>: players removed in the order of the row's attributions, most positive
 *       first, f recorded after each step; the score is the area between this curve and the same
 *       curve for a seeded random order, over the fraction of players removed (AOPC against
 *       chance; output units; positive means the ranking finds what drives the output up faster
 *       than chance). <b>Insertion</b> adds them in the same order to the reference.
 *   <li><b>Max-sensitivity</b> (Yeh et al. 2019): {@code max_i ||phi(x + d_i) - phi(x)||_2 /
 *       ||phi(x)||_2} over seeded perturbations {@code d_i}, each column of a one-column player
 *       drawn uniformly from {@code [-r s_c, r s_c]} (r the radius, s_c the column's spread);
 *       one-hot columns are not perturbed, as no small change of a category exists. The method is
 *       re-run on the perturbed rows with the row's own seed, so a sampling method's noise does
 *       not count as sensitivity.
 *   <li><b>Infidelity</b> (Yeh et al. 2019) under random removal: each perturbation removes every
 *       player with probability 1/2; {@code I . phi} is then the sum of the removed players'
 *       attributions, set against {@code f(x) - f(x without them)}; the mean squared difference
 *       over the perturbations (squared output units). Exact attributions of an additive model
 *       have infidelity 0.
 * </ul>
 *
 * <p>Every random choice comes from the row's seed (and the target), so a row's measures do not
 * depend on where it is computed. One row is measured per model call sequence; rows are never
 * mixed in a call. Instances keep no state between calls.
 */
public final class QualityMeasures {

  private static final long ORDER_SALT = 0x9E3779B97F4A7C15L;
  private static final long SENSITIVITY_SALT = 0xC2B2AE3D27D4EB4FL;
  private static final long INFIDELITY_SALT = 0x165667B19E3779F9L;

  private final AttributionMethod method;
  private final CoalitionEvaluator removal;
  private final FeatureGroups groups;
  private final double[] spread;
  private final QualitySettings settings;
  private final int width;
  private final boolean[] perturbed;

  /**
   * @param model the explained model
   * @param method the method, bound to {@code model}
   * @param removal where removed players take their values: the IG baseline as a one-row
   *     background, or the SHAP background
   * @param groups which columns each player owns
   * @param spread each column's spread (standard deviation), for the perturbation radius
   * @param settings how many perturbations, their radius and the curves' resolution
   * @param maxEvaluationRows the most rows one model call may take
   */
  public QualityMeasures(ModelFunction model, AttributionMethod method, Background removal, FeatureGroups groups,
      double[] spread, QualitySettings settings, int maxEvaluationRows) {
    this.width = model.inputWidth();
    if (spread.length != width) {
      throw new IllegalArgumentException("Cannot measure quality: " + spread.length + " spreads for " + width
          + " columns");
    }
    this.method = method;
    this.removal = new CoalitionEvaluator(model, removal, groups, maxEvaluationRows);
    this.groups = groups;
    this.spread = spread.clone();
    this.settings = settings;
    int[] playerOfColumn = groups.playerOfColumn();
    int[] columnsOfPlayer = new int[groups.players()];
    for (int player : playerOfColumn) {
      columnsOfPlayer[player]++;
    }
    this.perturbed = new boolean[width];
    for (int c = 0; c < width; c++) {
      perturbed[c] = columnsOfPlayer[playerOfColumn[c]] == 1 && spread[c] > 0;
    }
  }

  /**
   * The players removed (deletion) or present (insertion) at each curve point: every count from 0
   * to {@code players} when there are at most {@code steps} players, else {@code steps + 1}
   * evenly spaced counts from 0 to {@code players}.
   */
  public static int[] curveCounts(int players, int steps) {
    int points = Math.min(players, steps);
    return IntStream.rangeClosed(0, points).map(j -> (int) Math.round((double) j * players / points)).toArray();
  }

  /** The fraction of players removed or present at each curve point: the curves' x axis. */
  public static double[] curveFractions(int players, int steps) {
    return Arrays.stream(curveCounts(players, steps)).mapToDouble(k -> (double) k / players).toArray();
  }

  /**
   * Measures one row.
   *
   * @param row the row's {@code width} encoded values
   * @param target the explained output
   * @param seed the row's seed
   * @param attributions the row's attribution of each player at {@code target}
   */
  public RowQuality measure(float[] row, int target, long seed, double[] attributions) {
    int players = groups.players();
    int[] counts = curveCounts(players, settings.curveSteps());
    int points = counts.length;
    int n = settings.perturbations();
    int[] ranked = IntStream.range(0, players).boxed()
        .sorted(Comparator.<Integer>comparingDouble(p -> -attributions[p]).thenComparingInt(p -> p))
        .mapToInt(Integer::intValue).toArray();
    int[] random = permutation(players, new SplittableRandom(seed ^ ORDER_SALT ^ target));
    boolean[] masks = new boolean[(4 * points + n) * players];
    for (int j = 0; j < points; j++) {
      present(masks, j, players, ranked, counts[j], true);
      present(masks, points + j, players, random, counts[j], true);
      present(masks, 2 * points + j, players, ranked, counts[j], false);
      present(masks, 3 * points + j, players, random, counts[j], false);
    }
    SplittableRandom removals = new SplittableRandom(seed ^ INFIDELITY_SALT ^ target);
    double[] removedSum = new double[n];
    for (int i = 0; i < n; i++) {
      int at = (4 * points + i) * players;
      for (int p = 0; p < players; p++) {
        boolean removed = removals.nextBoolean();
        masks[at + p] = !removed;
        removedSum[i] += removed ? attributions[p] : 0;
      }
    }
    double[] values = removal.evaluate(row, 1, new int[] {target}, masks, masks.length / players);
    double[] deletion = Arrays.copyOfRange(values, 0, points);
    double[] deletionRandom = Arrays.copyOfRange(values, points, 2 * points);
    double[] insertion = Arrays.copyOfRange(values, 2 * points, 3 * points);
    double[] insertionRandom = Arrays.copyOfRange(values, 3 * points, 4 * points);
    double[] x = Arrays.stream(counts).mapToDouble(k -> (double) k / players).toArray();
    double output = deletion[0];
    double infidelity = 0;
    for (int i = 0; i < n; i++) {
      double change = output - values[4 * points + i];
      infidelity += (removedSum[i] - change) * (removedSum[i] - change) / n;
    }
    return new RowQuality(target, deletion, deletionRandom, insertion, insertionRandom,
        area(x, deletionRandom) - area(x, deletion), area(x, insertion) - area(x, insertionRandom),
        maxSensitivity(row, target, seed, attributions), infidelity);
  }

  /**
   * The perturbed copies of a row that max-sensitivity re-explains: {@code perturbations} rows of
   * {@code width} values.
   */
  public float[] perturbations(float[] row, int target, long seed) {
    int n = settings.perturbations();
    SplittableRandom random = new SplittableRandom(seed ^ SENSITIVITY_SALT ^ target);
    float[] rows = new float[n * width];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < width; c++) {
        double shift = perturbed[c] ? settings.radius() * spread[c] * (2 * random.nextDouble() - 1) : 0;
        rows[i * width + c] = (float) (row[c] + shift);
      }
    }
    return rows;
  }

  private double maxSensitivity(float[] row, int target, long seed, double[] attributions) {
    int n = settings.perturbations();
    int players = attributions.length;
    int[] targets = new int[n];
    Arrays.fill(targets, target);
    long[] seeds = new long[n];
    Arrays.fill(seeds, seed);
    double[] moved = method.attribute(perturbations(row, target, seed), n, targets, seeds).values();
    double largest = 0;
    for (int i = 0; i < n; i++) {
      double squares = 0;
      for (int p = 0; p < players; p++) {
        double d = moved[i * players + p] - attributions[p];
        squares += d * d;
      }
      largest = Math.max(largest, Math.sqrt(squares));
    }
    double norm = Math.sqrt(Arrays.stream(attributions).map(a -> a * a).sum());
    if (largest == 0) {
      return 0;
    }
    return norm == 0 ? Double.NaN : largest / norm;
  }

  /** Sets the flags of coalition {@code k}: the first {@code count} players of {@code order} present or absent. */
  private static void present(boolean[] masks, int k, int players, int[] order, int count, boolean othersPresent) {
    int at = k * players;
    Arrays.fill(masks, at, at + players, othersPresent);
    for (int i = 0; i < count; i++) {
      masks[at + order[i]] = !othersPresent;
    }
  }

  private static int[] permutation(int n, SplittableRandom random) {
    int[] order = IntStream.range(0, n).toArray();
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** Trapezoidal area under {@code y} over {@code x}. */
  static double area(double[] x, double[] y) {
    double sum = 0;
    for (int j = 1; j < x.length; j++) {
      sum += (x[j] - x[j - 1]) * (y[j] + y[j - 1]) / 2;
    }
    return sum;
  }
}
