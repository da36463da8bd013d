package org.attribution.method;

import static org.attribution.testing.Tolerances.DOUBLE_SUM_ATOL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.commons.math3.util.CombinatoricsUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kernel SHAP sampler against the rule it implements, with expectations worked out by hand from
 * that rule.
 *
 * <p>Notation: the mass of size s is {@code (M - 1) / (s (M - s))}; a size pair {s, M - s} holds
 * twice that (once when s = M - s) and {@code 2 C(M, s)} coalitions (once when s = M - s). A pair
 * is enumerated when the budget left times its share of the mass left covers its coalitions.
 */
class ShapleyKernelSamplerTest {

  private static final long[] SEEDS = {1, 2, 3, 42, -7};

  /** The kernel mass of all coalitions of size s, before normalisation. */
  private static double sizeMass(int players, int s) {
    return (players - 1.0) / (s * (double) (players - s));
  }

  /** The normalised Shapley kernel weight of one coalition of size s. */
  private static double kernelWeight(int players, int s) {
    double total = 0;
    for (int t = 1; t < players; t++) {
      total += sizeMass(players, t);
    }
    return sizeMass(players, s) / CombinatoricsUtils.binomialCoefficientDouble(players, s) / total;
  }

  private static String key(WeightedCoalitions coalitions, int k) {
    StringBuilder key = new StringBuilder();
    for (int p = 0; p < coalitions.players(); p++) {
      key.append(coalitions.contains(k, p) ? '1' : '0');
    }
    return key.toString();
  }

  private static String complementKey(WeightedCoalitions coalitions, int k) {
    StringBuilder key = new StringBuilder();
    for (int p = 0; p < coalitions.players(); p++) {
      key.append(coalitions.contains(k, p) ? '0' : '1');
    }
    return key.toString();
  }

  /** Index of each coalition by its mask, checking on the way that no mask repeats. */
  private static Map<String, Integer> indexByMask(WeightedCoalitions coalitions) {
    Map<String, Integer> index = new HashMap<>();
    for (int k = 0; k < coalitions.count(); k++) {
      assertNull(index.put(key(coalitions, k), k), "coalition " + k + " repeats");
    }
    return index;
  }

  // --- Which sizes are enumerated. ---------------------------------------------------------------

  static Stream<Arguments> budgetsAndCompleteSizes() {
    return Stream.of(
        // M = 12, shap's default 2 * 12 + 2048 = 2072 (below 2^12 - 2 = 4094). Masses 2, 1.1,
        // 0.8148, 0.6875, 0.6286, 0.3056 (sum 5.5365). {1,11}: 2072 * 2 / 5.5365 = 748 >= 24,
        // 2048 left; {2,10}: 2048 * 1.1 / 3.5365 = 637 >= 132, 1916 left; {3,9}: 1916 * 0.8148 /
        // 2.4365 = 641 >= 440, 1476 left; {4,8}: 1476 * 0.6875 / 1.6217 = 626 < 990, stop.
        Arguments.of(12, 2072, new int[] {1, 2, 3}),
        // M = 10, budget 200. Masses 2, 1.125, 0.8571, 0.75, 0.36 (sum 5.0921). {1,9}: 200 * 2 /
        // 5.0921 = 78.5 >= 20, 180 left; {2,8}: 180 * 1.125 / 3.0921 = 65.5 < 90, stop.
        Arguments.of(10, 200, new int[] {1}),
        // M = 12, budget 64: {1,11}: 64 * 2 / 5.5365 = 23.1 < 24, nothing is enumerated.
        Arguments.of(12, 64, new int[] {}),
        // M = 4, budget 11, exactly at the boundary. Masses 2 and 0.75. {1,3}: 11 * 2 / 2.75 = 8
        // >= 8, 3 left; {2}: 3 < 6, stop; one pair of size 2 is drawn, the odd coalition unspent.
        Arguments.of(4, 11, new int[] {1}),
        // M = 10, shap's default 2068 exceeds 2^10 - 2 = 1022: every size is enumerated.
        Arguments.of(10, 2068, new int[] {1, 2, 3, 4, 5}));
  }

  @ParameterizedTest
  @MethodSource("budgetsAndCompleteSizes")
  void enumeratesTheSmallSizesTheBudgetCovers(int players, int budget, int[] completeSizes) {
    boolean[] complete = new boolean[players];
    int enumerated = 0;
    for (int s : completeSizes) {
      complete[s] = true;
      complete[players - s] = true;
      enumerated +=
          (int) CombinatoricsUtils.binomialCoefficient(players, s) * (2 * s == players ? 1 : 2);
    }
    int expectedCount = enumerated + 2 * ((budget - enumerated) / 2);
    if (enumerated == (1 << players) - 2) {
      expectedCount = enumerated;
    }
    ShapleyKernelSampler sampler = new ShapleyKernelSampler(players, budget);
    assertEquals(expectedCount, sampler.maxCoalitions(), "most coalitions");
    for (long seed : SEEDS) {
      WeightedCoalitions coalitions = sampler.sample(new SplittableRandom(seed));
      int[] bySize = new int[players + 1];
      int[] enumeratedBySize = new int[players + 1];
      for (int k = 0; k < coalitions.count(); k++) {
        bySize[coalitions.size(k)]++;
        enumeratedBySize[coalitions.size(k)] += coalitions.enumerated(k) ? 1 : 0;
      }
      assertEquals(0, bySize[0], "empty coalitions");
      assertEquals(0, bySize[players], "full coalitions");
      for (int s = 1; s < players; s++) {
        long all = CombinatoricsUtils.binomialCoefficient(players, s);
        String at = "seed " + seed + ", size " + s;
        if (complete[s]) {
          assertEquals(all, bySize[s], at);
          assertEquals(all, enumeratedBySize[s], at + " enumerated");
        } else {
          assertEquals(0, enumeratedBySize[s], at + " enumerated");
          assertTrue(bySize[s] < all, at + ": " + bySize[s] + " of " + all);
        }
      }
      assertEquals(expectedCount, coalitions.count(), "coalitions for seed " + seed);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 4, 5, 8, 10})
  void aBudgetCoveringEveryCoalitionEnumeratesThemWithKernelWeights(int players) {
    int all = (1 << players) - 2;
    for (int budget : new int[] {all, all + 1, 5 * all}) {
      WeightedCoalitions coalitions =
          new ShapleyKernelSampler(players, budget).sample(new SplittableRandom(9));
      assertEquals(all, coalitions.count(), "budget " + budget);
      indexByMask(coalitions);
      assertEquals(0, coalitions.pairDraws().length, "sampled pairs");
      for (int k = 0; k < all; k++) {
        assertTrue(coalitions.enumerated(k), "coalition " + k);
        assertEquals(
            kernelWeight(players, coalitions.size(k)),
            coalitions.weights()[k],
            DOUBLE_SUM_ATOL,
            "weight of coalition " + k);
      }
    }
  }

  // --- Pairs, weights, duplicates. ---------------------------------------------------------------

  static Stream<Arguments> sampledBudgets() {
    // Pure sampling, partial enumeration with an odd size pair count, an even M with its middle
    // size sampled, and M = 5 with 9 of its 10 size-2 pairs wanted (many repeated draws).
    return Stream.of(
        Arguments.of(12, 64),
        Arguments.of(10, 200),
        Arguments.of(12, 2072),
        Arguments.of(4, 11),
        Arguments.of(5, 28),
        Arguments.of(3, 2),
        Arguments.of(40, 2128));
  }

  @ParameterizedTest
  @MethodSource("sampledBudgets")
  void everyCoalitionComesWithItsComplement(int players, int budget) {
    for (long seed : SEEDS) {
      WeightedCoalitions coalitions =
          new ShapleyKernelSampler(players, budget).sample(new SplittableRandom(seed));
      Map<String, Integer> index = indexByMask(coalitions);
      for (int k = 0; k < coalitions.count(); k++) {
        Integer complement = index.get(complementKey(coalitions, k));
        assertTrue(complement != null, "seed " + seed + ": no complement of " + key(coalitions, k));
        assertEquals(coalitions.pairOf()[k], coalitions.pairOf()[complement], "pair of " + k);
        if (!coalitions.enumerated(k)) {
          assertEquals(coalitions.weights()[k], coalitions.weights()[complement], "weights " + k);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("sampledBudgets")
  void sampledCoalitionsShareTheMassOfTheSizesNotEnumerated(int players, int budget) {
    for (long seed : SEEDS) {
      WeightedCoalitions coalitions =
          new ShapleyKernelSampler(players, budget).sample(new SplittableRandom(seed));
      double enumeratedMass = 0;
      boolean[] sizeEnumerated = new boolean[players];
      double sampledMass = 0;
      int draws = Arrays.stream(coalitions.pairDraws()).sum();
      for (int k = 0; k < coalitions.count(); k++) {
        double weight = coalitions.weights()[k];
        if (coalitions.enumerated(k)) {
          sizeEnumerated[coalitions.size(k)] = true;
          enumeratedMass += weight;
          assertEquals(kernelWeight(players, coalitions.size(k)), weight, DOUBLE_SUM_ATOL);
        } else {
          sampledMass += weight;
        }
      }
      double expectedSampledMass = 0;
      for (int s = 1; s < players; s++) {
        if (!sizeEnumerated[s]) {
          expectedSampledMass +=
              kernelWeight(players, s) * CombinatoricsUtils.binomialCoefficientDouble(players, s);
        }
      }
      String at = players + " players, budget " + budget + ", seed " + seed;
      assertEquals(1, enumeratedMass + sampledMass, DOUBLE_SUM_ATOL, at + ": total weight");
      assertEquals(expectedSampledMass, sampledMass, DOUBLE_SUM_ATOL, at + ": sampled weight");
      // Each draw is worth the same: a pair's coalitions weigh its draws' share of that mass.
      for (int k = 0; k < coalitions.count(); k++) {
        if (!coalitions.enumerated(k)) {
          int pairDraws = coalitions.pairDraws()[coalitions.pairOf()[k]];
          assertEquals(
              expectedSampledMass * pairDraws / (2.0 * draws),
              coalitions.weights()[k],
              DOUBLE_SUM_ATOL,
              at + ": coalition " + k);
        }
      }
    }
  }

  @Test
  void aPairDrawnAgainIsKeptOnceAndWeighsItsDraws() {
    // M = 5, budget 28: {1,4} is enumerated (28 * 2 / 3.3333 = 16.8 >= 10), leaving 9 of the 10
    // pairs of sizes {2,3} to find, which takes repeated draws.
    WeightedCoalitions coalitions = new ShapleyKernelSampler(5, 28).sample(new SplittableRandom(5));
    indexByMask(coalitions);
    int[] draws = coalitions.pairDraws();
    assertEquals(9, draws.length, "sampled pairs");
    assertTrue(
        Arrays.stream(draws).max().getAsInt() > 1, "draws per pair " + Arrays.toString(draws));
    assertTrue(
        Arrays.stream(draws).min().getAsInt() >= 1, "draws per pair " + Arrays.toString(draws));
    int first =
        IntStream.range(0, coalitions.count())
            .filter(k -> !coalitions.enumerated(k))
            .findFirst()
            .getAsInt();
    for (int k = first; k < coalitions.count(); k++) {
      assertEquals((k - first) / 2, coalitions.pairOf()[k], "pairs are adjacent, in order");
    }
  }

  @Test
  void sampledSizesFollowTheKernel() {
    // M = 12, budget 64: nothing is enumerated and 32 pairs are drawn per call. Over 200 calls a
    // size pair's share of the draws is its share of the kernel mass.
    int players = 12;
    ShapleyKernelSampler sampler = new ShapleyKernelSampler(players, 64);
    double[] drawsBySize = new double[players / 2 + 1];
    double total = 0;
    for (long seed = 0; seed < 200; seed++) {
      WeightedCoalitions coalitions = sampler.sample(new SplittableRandom(seed));
      for (int k = 0; k < coalitions.count(); k += 2) {
        int draws = coalitions.pairDraws()[coalitions.pairOf()[k]];
        drawsBySize[Math.min(coalitions.size(k), players - coalitions.size(k))] += draws;
        total += draws;
      }
    }
    double mass = 0;
    for (int s = 1; s < players; s++) {
      mass += sizeMass(players, s);
    }
    for (int s = 1; s <= players / 2; s++) {
      double expected = sizeMass(players, s) * (2 * s == players ? 1 : 2) / mass;
      // About 6400 draws: the standard deviation of a share is below 0.006.
      assertEquals(expected, drawsBySize[s] / total, 0.025, "share of size pair " + s);
    }
  }

  @ParameterizedTest
  @MethodSource("sampledBudgets")
  void aPrefixOfTheDrawsIsTheSampleThatWantedThatManyPairs(int players, int budget) {
    ShapleyKernelSampler sampler = new ShapleyKernelSampler(players, budget);
    for (long seed : SEEDS) {
      ShapleyKernelSampler.Draws draws = sampler.draw(new SplittableRandom(seed));
      WeightedCoalitions all = draws.coalitions(draws.pairs());
      WeightedCoalitions sampled = sampler.sample(new SplittableRandom(seed));
      assertArrayEquals(sampled.masks(), all.masks(), "all pairs are the sample");
      assertArrayEquals(sampled.weights(), all.weights());
      assertArrayEquals(sampled.pairOf(), all.pairOf());
      assertArrayEquals(sampled.pairDraws(), all.pairDraws());
      int enumerated = draws.enumerated();
      for (int pairs : new int[] {1, draws.pairs() / 3, draws.pairs() - 1}) {
        if (pairs < 1) {
          continue;
        }
        WeightedCoalitions prefix = draws.coalitions(pairs);
        String at = players + " players, budget " + budget + ", seed " + seed + ", " + pairs + " pairs";
        assertEquals(enumerated + 2 * pairs, prefix.count(), at);
        assertArrayEquals(Arrays.copyOf(all.masks(), prefix.count() * players), prefix.masks(), at + ": masks");
        assertEquals(1, Arrays.stream(prefix.weights()).sum(), DOUBLE_SUM_ATOL, at + ": mass");
        // The prefix ends with the draw that found its last pair.
        assertEquals(1, prefix.pairDraws()[pairs - 1], at + ": draws of the last pair");
        for (int k = 0; k < enumerated; k++) {
          assertEquals(all.weights()[k], prefix.weights()[k], at + ": enumerated weight " + k);
        }
      }
    }
  }

  @Test
  void theSeedAloneDecidesTheSample() {
    ShapleyKernelSampler sampler = new ShapleyKernelSampler(12, 200);
    WeightedCoalitions first = sampler.sample(new SplittableRandom(17));
    WeightedCoalitions again = new ShapleyKernelSampler(12, 200).sample(new SplittableRandom(17));
    assertArrayEquals(first.masks(), again.masks());
    assertArrayEquals(first.weights(), again.weights());
    assertArrayEquals(first.pairOf(), again.pairOf());
    assertArrayEquals(first.pairDraws(), again.pairDraws());
    WeightedCoalitions other = sampler.sample(new SplittableRandom(18));
    assertFalse(Arrays.equals(first.masks(), other.masks()), "another seed draws other coalitions");
  }

  // --- Default budget and validation. ------------------------------------------------------------

  @Test
  void aConfiguredBudgetIsCappedAtEveryCoalitionAndAbsentOneIsTheDefault() {
    assertEquals(2072, ShapleyKernelSampler.budgetFor(null, 12));
    assertEquals(500, ShapleyKernelSampler.budgetFor(500, 12));
    assertEquals(14, ShapleyKernelSampler.budgetFor(500, 4));
    assertEquals(1, ShapleyKernelSampler.budgetFor(null, 1), "a single player still counts one unit of work");
    assertEquals(Integer.MAX_VALUE, ShapleyKernelSampler.budgetFor(Integer.MAX_VALUE, 40));
  }

  @Test
  void defaultBudgetIsShapsCappedAtEveryCoalition() {
    assertEquals(0, ShapleyKernelSampler.defaultBudget(1));
    assertEquals(2, ShapleyKernelSampler.defaultBudget(2));
    assertEquals(1022, ShapleyKernelSampler.defaultBudget(10));
    assertEquals(2046, ShapleyKernelSampler.defaultBudget(11));
    assertEquals(2072, ShapleyKernelSampler.defaultBudget(12));
    assertEquals(2128, ShapleyKernelSampler.defaultBudget(40));
    assertEquals(2248, ShapleyKernelSampler.defaultBudget(100));
    assertEquals(
        "Cannot choose a Kernel SHAP budget: needs at least 1 player, got 0",
        assertThrows(IllegalArgumentException.class, () -> ShapleyKernelSampler.defaultBudget(0))
            .getMessage());
  }

  @Test
  void rejectsTooFewPlayersOrCoalitions() {
    assertEquals(
        "Cannot sample coalitions: Kernel SHAP needs at least 2 players, got 1",
        assertThrows(IllegalArgumentException.class, () -> new ShapleyKernelSampler(1, 10))
            .getMessage());
    assertEquals(
        "Cannot sample coalitions: the budget must be at least 2 coalitions, got 1",
        assertThrows(IllegalArgumentException.class, () -> new ShapleyKernelSampler(5, 1))
            .getMessage());
  }
}
