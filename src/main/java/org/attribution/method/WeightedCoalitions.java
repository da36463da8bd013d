package org.attribution.method;

/**
 * The coalitions Kernel SHAP regresses on for one row, with their Shapley kernel weights and how
 * each was chosen: by complete enumeration of its size, or by sampling.
 *
 * <p>Sampled coalitions come in complementary pairs (a coalition and the players outside it), and
 * one pair is one independent draw of the sampler: a pair drawn k times is kept once and weighs k
 * draws. Enumerated coalitions carry no sampling error; the pairs are what a standard error is
 * estimated from.
 *
 * @param players number of players
 * @param masks {@code count() x players} flags, row-major: {@code masks[k * players + p]} is true
 *     when player p is in coalition k; no two coalitions are equal, and neither the empty nor the
 *     full coalition appears
 * @param weights the kernel weight of each coalition, summing to 1 over all of them
 * @param pairOf for each coalition, -1 if it was enumerated, else the index of its sampled pair
 * @param pairDraws for each sampled pair, how many times it was drawn (at least 1)
 */
public record WeightedCoalitions(
    int players, boolean[] masks, double[] weights, int[] pairOf, int[] pairDraws) {

  public WeightedCoalitions {
    if (masks.length != weights.length * players || pairOf.length != weights.length) {
      throw new IllegalArgumentException(
          "Cannot build coalitions: expected "
              + weights.length
              + " masks of "
              + players
              + " players and "
              + weights.length
              + " pair indices, got "
              + masks.length
              + " flags and "
              + pairOf.length
              + " pair indices");
    }
  }

  /** Number of coalitions. */
  public int count() {
    return weights.length;
  }

  /** Whether player {@code player} is in coalition {@code k}. */
  public boolean contains(int k, int player) {
    return masks[k * players + player];
  }

  /** Number of players in coalition {@code k}. */
  public int size(int k) {
    int size = 0;
    for (int p = 0; p < players; p++) {
      if (masks[k * players + p]) {
        size++;
      }
    }
    return size;
  }

  /** Whether coalition {@code k} comes from the complete enumeration of its size. */
  public boolean enumerated(int k) {
    return pairOf[k] < 0;
  }
}
