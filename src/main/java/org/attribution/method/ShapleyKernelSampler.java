package org.attribution.method;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.math3.util.CombinatoricsUtils;

/**
 * Chooses the coalitions Kernel SHAP evaluates for one row, and their weights, the way the SHAP
 * library's KernelExplainer does.
 *
 * <p>The Shapley kernel gives every coalition of size s (0 &lt; s &lt; M) the weight {@code (M - 1)
 * / (C(M, s) s (M - s))}, so the size class as a whole weighs {@code (M - 1) / (s (M - s))}: most
 * of the mass sits on the smallest and largest coalitions. Sizes s and M - s weigh the same and are
 * handled together as one <em>size pair</em> (a single size when s = M - s), from s = 1 upwards:
 *
 * <ol>
 *   <li>A size pair is enumerated completely while the budget left covers it at its share of the
 *       kernel mass left: with B coalitions left, a pair of n coalitions holding a fraction q of
 *       the remaining mass is enumerated if {@code B q >= n} (shap's {@code num_full_subsets}). The
 *       first pair that fails stops enumeration. Each enumerated coalition gets its exact kernel
 *       weight.
 *   <li>What is left of the budget is spent on draws: a size pair in proportion to its kernel mass,
 *       then a uniformly random subset of the smaller size, which is kept together with its
 *       complement. A pair drawn again is not evaluated again; it counts one more draw. Drawing
 *       stops when {@code floor(B / 2)} distinct pairs are found, or after four draws per pair
 *       wanted (shap's limit), when the sizes left are nearly exhausted.
 *   <li>The sampled coalitions share the kernel mass of the sizes that were not enumerated, in
 *       proportion to their draws. A coalition's expected share is then its kernel weight: its size
 *       pair is drawn with probability proportional to the pair's mass, and each of the pair's n
 *       coalitions is then kept with probability 2 / n.
 * </ol>
 *
 * <p>A budget of at least {@code 2^M - 2} enumerates every coalition, and Kernel SHAP then gives
 * the exact Shapley values. An odd coalition of budget left after enumeration is not spent, so that
 * every sampled coalition has its complement. The enumeration depends only on M and the budget and
 * is built once; each call to {@link #sample} draws the rest from the generator it is given.
 * Instances are immutable and may be shared by threads.
 */
public final class ShapleyKernelSampler {

  /**
   * shap's slack on the enumeration test, so that a size pair the budget covers exactly is not lost
   * to rounding in the mass shares.
   */
  private static final double ENUMERATION_SLACK = 1e-8;

  /** Draws tried per pair wanted before giving up on finding new ones, as in shap. */
  private static final int DRAWS_PER_PAIR = 4;

  private final int players;
  private final boolean[] enumeratedMasks;
  private final double[] enumeratedWeights;
  private final int pairsWanted;
  private final double sampledMass;

  /** The smaller size of the first size pair that is sampled. */
  private final int firstSampledSize;

  /** Cumulative draw probabilities of the sampled size pairs, from firstSampledSize up. */
  private final double[] sizeCumulative;

  /**
   * @param players number of players M, at least 2
   * @param budget the most coalitions to choose, at least 2; {@link #defaultBudget} is shap's
   * @throws IllegalArgumentException if either is too small
   */
  public ShapleyKernelSampler(int players, int budget) {
    if (players < 2) {
      throw new IllegalArgumentException(
          "Cannot sample coalitions: Kernel SHAP needs at least 2 players, got " + players);
    }
    if (budget < 2) {
      throw new IllegalArgumentException(
          "Cannot sample coalitions: the budget must be at least 2 coalitions, got " + budget);
    }
    this.players = players;
    int sizePairs = players / 2;
    double[] mass = new double[sizePairs + 1];
    double[] coalitions = new double[sizePairs + 1];
    double total = 0;
    for (int s = 1; s <= sizePairs; s++) {
      int sides = 2 * s == players ? 1 : 2;
      mass[s] = sides * (players - 1.0) / (s * (double) (players - s));
      coalitions[s] = sides * CombinatoricsUtils.binomialCoefficientDouble(players, s);
      total += mass[s];
    }
    for (int s = 1; s <= sizePairs; s++) {
      mass[s] /= total;
    }

    long left = budget;
    int enumerated = 0;
    while (enumerated < sizePairs) {
      int s = enumerated + 1;
      double remainingMass = 0;
      for (int t = s; t <= sizePairs; t++) {
        remainingMass += mass[t];
      }
      if (left * mass[s] / remainingMass < coalitions[s] * (1 - ENUMERATION_SLACK)) {
        break;
      }
      left -= (long) coalitions[s];
      enumerated = s;
    }
    int enumeratedCount = (int) (budget - left);
    this.enumeratedMasks = new boolean[enumeratedCount * players];
    this.enumeratedWeights = new double[enumeratedCount];
    int k = 0;
    for (int s = 1; s <= enumerated; s++) {
      k = enumerateSize(s, mass[s] / coalitions[s], k);
    }

    this.firstSampledSize = enumerated + 1;
    this.sizeCumulative = new double[sizePairs - enumerated];
    double sampled = 0;
    for (int s = firstSampledSize; s <= sizePairs; s++) {
      sampled += mass[s];
      sizeCumulative[s - firstSampledSize] = sampled;
    }
    for (int i = 0; i < sizeCumulative.length; i++) {
      sizeCumulative[i] /= sampled;
    }
    this.sampledMass = sampled;
    this.pairsWanted = sizeCumulative.length == 0 ? 0 : (int) (left / 2);
  }

  /**
   * shap's default budget, {@code 2 M + 2048} coalitions, capped at the {@code 2^M - 2} that exist;
   * 0 for a single player, who needs none.
   *
   * @throws IllegalArgumentException if {@code players < 1}
   */
  public static int defaultBudget(int players) {
    if (players < 1) {
      throw new IllegalArgumentException(
          "Cannot choose a Kernel SHAP budget: needs at least 1 player, got " + players);
    }
    long shaps = 2L * players + 2048;
    return players >= 62 ? (int) shaps : (int) Math.min(shaps, (1L << players) - 2);
  }

  /**
   * Coalitions per row for a configured budget, or {@link #defaultBudget} when there is none,
   * never more than the {@code 2^M - 2} that exist and at least 1.
   *
   * @param configured the job file's budget, or null
   * @throws IllegalArgumentException if {@code players < 1}
   */
  public static int budgetFor(Integer configured, int players) {
    int all = players >= 31 ? Integer.MAX_VALUE : (1 << players) - 2;
    int budget = configured != null ? configured : defaultBudget(players);
    return Math.max(1, Math.min(budget, all));
  }

  /** Number of players. */
  public int players() {
    return players;
  }

  /** The most coalitions {@link #sample} returns: the enumerated ones and the pairs wanted. */
  public int maxCoalitions() {
    return enumeratedWeights.length + 2 * pairsWanted;
  }

  /**
   * The coalitions of one row: the enumerated ones first, in the same order for every call, then
   * the sampled pairs in the order first drawn, each pair as two adjacent coalitions.
   *
   * @param random the row's generator; only it decides the sampled part
   */
  public WeightedCoalitions sample(SplittableRandom random) {
    Draws draws = draw(random);
    return draws.coalitions(draws.pairs());
  }

  /**
   * Draws one row's sample as {@link #sample} does, keeping the order of the draws, so that a
   * prefix of the sampled pairs can be used on its own ({@link Draws#coalitions}).
   *
   * @param random the row's generator; only it decides the sampled part
   */
  public Draws draw(SplittableRandom random) {
    int enumerated = enumeratedWeights.length;
    int capacity = maxCoalitions();
    boolean[] masks = Arrays.copyOf(enumeratedMasks, capacity * players);
    // Open addressing over the pairs found so far, at most half full; a slot holds a pair index.
    int[] table = new int[Integer.highestOneBit(Math.max(1, pairsWanted)) * 4];
    Arrays.fill(table, -1);
    int[] order = new int[players];
    Arrays.setAll(order, p -> p);
    long maxDraws = (long) DRAWS_PER_PAIR * pairsWanted;
    // Most draws find a new pair; repeats are common only when the sizes left are nearly exhausted.
    int[] drawnPair = new int[pairsWanted + 16];

    int pairs = 0;
    int drawn = 0;
    while (pairs < pairsWanted && drawn < maxDraws) {
      // The draw is written where a new pair would go, and left to be overwritten if it is known.
      int at = (enumerated + 2 * pairs) * players;
      randomSubset(drawSize(random), order, random, masks, at);
      // A pair is known by its side without player 0, whichever side was drawn.
      boolean flip = masks[at];
      long hash = 0;
      for (int p = 0; p < players; p++) {
        masks[at + p] ^= flip;
        hash = (hash ^ (masks[at + p] ? 1 : 0)) * 0x100000001b3L;
      }
      int slot = (int) (hash ^ (hash >>> 32)) & (table.length - 1);
      while (table[slot] >= 0 && !samePair(masks, table[slot], at, enumerated)) {
        slot = (slot + 1) & (table.length - 1);
      }
      if (drawn == drawnPair.length) {
        drawnPair = Arrays.copyOf(drawnPair, 2 * drawn);
      }
      if (table[slot] >= 0) {
        drawnPair[drawn++] = table[slot];
        continue;
      }
      table[slot] = pairs;
      for (int p = 0; p < players; p++) {
        masks[at + players + p] = !masks[at + p];
      }
      drawnPair[drawn++] = pairs++;
    }
    return new Draws(masks, pairs, Arrays.copyOf(drawnPair, drawn));
  }

  /**
   * One row's draws: the enumerated coalitions, the distinct sampled pairs in the order first
   * drawn, and which pair each draw found.
   */
  public final class Draws {
    private final boolean[] masks;
    private final int pairs;
    private final int[] drawnPair;

    private Draws(boolean[] masks, int pairs, int[] drawnPair) {
      this.masks = masks;
      this.pairs = pairs;
      this.drawnPair = drawnPair;
    }

    /** The distinct pairs drawn. */
    public int pairs() {
      return pairs;
    }

    /**
     * Copies the flags of coalitions {@code from .. to - 1} (enumerated ones first, then each
     * pair's two sides, in the order found) to {@code dest} from {@code at}.
     */
    void copyMasks(int from, int to, boolean[] dest, int at) {
      System.arraycopy(masks, from * players, dest, at, (to - from) * players);
    }

    /** The enumerated coalitions, which come before the pairs. */
    public int enumerated() {
      return enumeratedWeights.length;
    }

    /**
     * The enumerated coalitions and the first {@code pairs} sampled pairs, weighted by the draws
     * made until the last of them was found: the sample the row would have had with only that many
     * pairs wanted. All pairs give {@link #sample}'s coalitions, every draw counted.
     *
     * @throws IllegalArgumentException if {@code pairs} is negative or above {@link #pairs()}
     */
    public WeightedCoalitions coalitions(int pairs) {
      if (pairs < 0 || pairs > this.pairs) {
        throw new IllegalArgumentException(
            "Cannot take " + pairs + " sampled pairs: " + this.pairs + " were drawn");
      }
      int enumerated = enumeratedWeights.length;
      int count = enumerated + 2 * pairs;
      int draws = drawnPair.length;
      if (pairs < this.pairs) {
        // Up to the draw that found the last pair taken: a sampler wanting that many stops there.
        draws = 0;
        while (draws < drawnPair.length && pairs > 0 && drawnPair[draws] != pairs - 1) {
          draws++;
        }
        draws = pairs == 0 ? 0 : draws + 1;
      }
      int[] pairDraws = new int[pairs];
      for (int d = 0; d < draws; d++) {
        pairDraws[drawnPair[d]]++;
      }
      double[] weights = Arrays.copyOf(enumeratedWeights, count);
      int[] pairOf = new int[count];
      Arrays.fill(pairOf, 0, enumerated, -1);
      for (int k = enumerated; k < count; k++) {
        pairOf[k] = (k - enumerated) / 2;
        weights[k] = sampledMass * pairDraws[pairOf[k]] / (2.0 * draws);
      }
      return new WeightedCoalitions(
          players, Arrays.copyOf(masks, count * players), weights, pairOf, pairDraws);
    }
  }

  /**
   * Writes every coalition of size s, followed by its complement unless that has size s too, from
   * index k on, each with the given weight; returns the next free index.
   */
  private int enumerateSize(int s, double weight, int k) {
    boolean withComplement = 2 * s != players;
    int[] members = new int[s];
    Arrays.setAll(members, i -> i);
    while (true) {
      for (int copy = 0; copy < (withComplement ? 2 : 1); copy++) {
        int at = k * players;
        boolean outside = copy == 1;
        Arrays.fill(enumeratedMasks, at, at + players, outside);
        for (int member : members) {
          enumeratedMasks[at + member] = !outside;
        }
        enumeratedWeights[k++] = weight;
      }
      // Next combination in lexicographic order: bump the last member that can still move.
      int i = s - 1;
      while (i >= 0 && members[i] == players - s + i) {
        i--;
      }
      if (i < 0) {
        return k;
      }
      members[i]++;
      for (int j = i + 1; j < s; j++) {
        members[j] = members[j - 1] + 1;
      }
    }
  }

  /** The smaller size of a sampled size pair, drawn in proportion to the pair's kernel mass. */
  private int drawSize(SplittableRandom random) {
    double u = random.nextDouble();
    int i = 0;
    // The last entry is 1 up to rounding; never run past it.
    while (i < sizeCumulative.length - 1 && u >= sizeCumulative[i]) {
      i++;
    }
    return firstSampledSize + i;
  }

  /**
   * Writes a uniformly random subset of {@code size} players as flags at {@code masks[at..]}, by a
   * partial Fisher-Yates shuffle of {@code order}; any arrangement of {@code order} gives a uniform
   * subset, so it is not reset between draws.
   */
  private static void randomSubset(
      int size, int[] order, SplittableRandom random, boolean[] masks, int at) {
    Arrays.fill(masks, at, at + order.length, false);
    for (int i = 0; i < size; i++) {
      int j = i + random.nextInt(order.length - i);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
      masks[at + order[i]] = true;
    }
  }

  /** Whether sampled pair {@code pair} has the flags at {@code masks[at..]} as its first side. */
  private boolean samePair(boolean[] masks, int pair, int at, int enumerated) {
    int from = (enumerated + 2 * pair) * players;
    return Arrays.equals(masks, from, from + players, masks, at, at + players);
  }
}
