package org.attribution.aggregate;

/**
 * Mergeable statistics of one feature's attributions over a group of rows.
 *
 * @param signed moments of the attribution
 * @param absolute moments of |attribution|
 * @param positive rows whose attribution is above 0
 */
public record FeatureStats(Moments signed, Moments absolute, long positive) {

  /** No rows. */
  public static final FeatureStats EMPTY = new FeatureStats(Moments.EMPTY, Moments.EMPTY, 0);

  /** The statistics of both groups together. */
  public FeatureStats merge(FeatureStats other) {
    return new FeatureStats(signed.merge(other.signed), absolute.merge(other.absolute), positive + other.positive);
  }
}
