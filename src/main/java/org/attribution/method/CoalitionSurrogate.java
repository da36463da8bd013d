package org.attribution.method;

/**
 * A game fitted to one row's coalition values whose Shapley values are known exactly: Kernel SHAP's
 * adjustment estimates only what it misses ({@link KernelShap}, {@link KernelShapAdjustment}).
 * Coalitions are bit sets, player p at bit p.
 */
interface CoalitionSurrogate {

  /** The most players a coalition bit set holds. */
  int MAX_PLAYERS = 63;

  /** {@code g(S) - g(empty)} for the coalition {@code s}. */
  double gain(long s);

  /** The surrogate's exact Shapley values; they sum to {@code gain} of the full coalition. */
  double[] shapleyValues();
}
