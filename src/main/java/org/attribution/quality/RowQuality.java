package org.attribution.quality;

import java.io.Serializable;

/**
 * The quality measures of one explained (row, target).
 *
 * <p>Curves hold the model output at the points {@link QualityMeasures#curveFractions} of the
 * players removed (deletion) or present (insertion), in the order of the row's attributions,
 * most positive first, or in a seeded random order.
 *
 * @param target the explained output
 * @param deletion f with the highest-ranked players removed, most positive attribution first
 * @param deletionRandom the same in a random order
 * @param insertion f with only the highest-ranked players present
 * @param insertionRandom the same in a random order
 * @param deletionScore area between the random and the ranked deletion curve: how much faster than
 *     chance the ranking brings the output down (positive is better)
 * @param insertionScore area between the ranked and the random insertion curve (positive is better)
 * @param maxSensitivity largest relative change of the attribution vector under the perturbations;
 *     NaN when the row's attributions are all zero but a perturbed row's are not
 * @param infidelity mean squared difference between the attributions' prediction of an output
 *     change and the model's, over the perturbations
 */
public record RowQuality(
    int target,
    double[] deletion,
    double[] deletionRandom,
    double[] insertion,
    double[] insertionRandom,
    double deletionScore,
    double insertionScore,
    double maxSensitivity,
    double infidelity) implements Serializable {}
