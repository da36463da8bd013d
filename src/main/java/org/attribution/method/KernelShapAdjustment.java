package org.attribution.method;

import java.util.Locale;

/**
 * How Kernel SHAP corrects its sampling error with a surrogate game whose Shapley values are exact
 * (regression-adjusted Monte Carlo; see {@link KernelShap}). It costs CPU per row, no model
 * evaluations.
 *
 * @param kind which surrogate
 * @param trees boosted trees per fold for {@link Kind#TREES}, 0 otherwise
 */
public record KernelShapAdjustment(Kind kind, int trees) {

  /** The surrogates. */
  public enum Kind {
    /** Plain Kernel SHAP. */
    NONE,
    /** Additive plus three-player Fourier terms among the top 8 players ({@link CubicSurrogate}). */
    CUBIC,
    /** The additive fit plus boosted depth-4 trees on the coalitions ({@link CoalitionTrees}). */
    TREES
  }

  /** Plain Kernel SHAP. */
  public static final KernelShapAdjustment NONE = new KernelShapAdjustment(Kind.NONE, 0);

  /** The cubic surrogate. */
  public static final KernelShapAdjustment CUBIC = new KernelShapAdjustment(Kind.CUBIC, 0);

  /**
   * @throws IllegalArgumentException if a tree adjustment has no trees, or another has some
   */
  public KernelShapAdjustment {
    if ((kind == Kind.TREES) != (trees > 0) || trees < 0) {
      throw new IllegalArgumentException("Cannot run Kernel SHAP: " + kind.name().toLowerCase(Locale.ROOT)
          + " adjustment with " + trees + " trees (trees need at least 1, the others none)");
    }
  }

  /**
   * The adjustment named {@code id} in the job file ({@code cubic}, {@code trees}, {@code none}),
   * with {@code trees} trees per fold for {@code trees} (ignored otherwise).
   *
   * @throws IllegalArgumentException for another name, or trees without a count of at least 1
   */
  public static KernelShapAdjustment fromId(String id, Integer trees) {
    for (Kind kind : Kind.values()) {
      if (kind.name().toLowerCase(Locale.ROOT).equals(id)) {
        return kind == Kind.TREES ? trees(trees == null ? 0 : trees) : new KernelShapAdjustment(kind, 0);
      }
    }
    throw new IllegalArgumentException("unknown Kernel SHAP adjustment '" + id + "'");
  }

  /** The tree adjustment with {@code trees} boosted trees per fold. */
  public static KernelShapAdjustment trees(int trees) {
    return new KernelShapAdjustment(Kind.TREES, trees);
  }
}
