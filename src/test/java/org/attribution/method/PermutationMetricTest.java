package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/** Each metric against values computed by hand (and by scikit-learn, where named). */
class PermutationMetricTest {

  /** The metric over rows, fed in ascending order of value as the job feeds it. */
  static double measure(PermutationMetric metric, float[] outputs, int width, int scored, double[] labels) {
    Integer[] order = new Integer[labels.length];
    double[] values = new double[labels.length];
    for (int r = 0; r < labels.length; r++) {
      order[r] = r;
      values[r] = metric.rowValue(outputs, r * width, width, scored, labels[r]);
    }
    Arrays.sort(order, Comparator.comparingDouble(r -> values[r]));
    PermutationMetric.Accumulator accumulator = metric.accumulator();
    for (int r : order) {
      accumulator.add(values[r], metric.positive(labels[r]), 1);
    }
    return accumulator.value();
  }

  @Test
  void logLossOfOneProbabilityOutput() {
    // (-ln 0.8 - ln 0.7) / 2; sklearn.metrics.log_loss([1, 0], [0.8, 0.3]) = 0.2899092476264711
    double expected = (-Math.log(0.8f) - Math.log1p(-0.3f)) / 2;
    assertEquals(expected, measure(PermutationMetric.LOG_LOSS, new float[] {0.8f, 0.3f}, 1, 0, new double[] {1, 0}),
        1e-15);
    assertEquals(0.2899092476264711, expected, 1e-7);
  }

  @Test
  void logLossOfClassProbabilities() {
    float[] p = {0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f};
    double expected = (-Math.log(0.7f) - Math.log(0.3f)) / 2;
    assertEquals(expected, measure(PermutationMetric.LOG_LOSS, p, 3, 0, new double[] {0, 2}), 1e-15);
  }

  @Test
  void logLossClipsProbabilitiesOfZero() {
    assertEquals(-Math.log(1e-15), measure(PermutationMetric.LOG_LOSS, new float[] {0f}, 1, 0, new double[] {1}),
        1e-12);
  }

  @Test
  void accuracyOfClassesAndOfOneProbability() {
    float[] p = {0.7f, 0.2f, 0.1f, 0.1f, 0.6f, 0.3f};
    assertEquals(0.5, measure(PermutationMetric.ACCURACY, p, 3, 0, new double[] {0, 2}));
    // 0.5 counts as class 1
    assertEquals(2.0 / 3, measure(PermutationMetric.ACCURACY, new float[] {0.5f, 0.49f, 0.9f}, 1, 0,
        new double[] {1, 1, 1}), 1e-15);
  }

  @Test
  void meanSquaredErrorOfTheScoredOutput() {
    float[] outputs = {9f, 1.5f, 9f, 2.0f};
    assertEquals((0.25 + 4) / 2, measure(PermutationMetric.MSE, outputs, 2, 1, new double[] {1, 4}));
  }

  /**
   * Positives score 0.4 and 0.8, negatives 0.1, 0.35 and 0.4: of the 6 pairs the positive wins
   * 5 and ties 1, so AUC = 5.5 / 6; sklearn.metrics.roc_auc_score([0, 1, 0, 1, 0], [0.1, 0.4, 0.4,
   * 0.8, 0.35]) = 0.9166666666666667.
   */
  @Test
  void rocAucCountsTiesAsOneHalf() {
    float[] scores = {0.1f, 0.4f, 0.4f, 0.8f, 0.35f};
    double[] labels = {0, 1, 0, 1, 0};
    assertEquals(5.5 / 6, measure(PermutationMetric.ROC_AUC, scores, 1, 0, labels), 1e-15);
  }

  @Test
  void rocAucTakesTiedValuesInAnyOrderAndAsCounts() {
    PermutationMetric.Accumulator a = PermutationMetric.ROC_AUC.accumulator();
    a.add(0.1, false, 1);
    a.add(0.4, true, 3);
    a.add(0.4, false, 2);
    a.add(0.4, true, 1);
    a.add(0.9, true, 1);
    // positives at 0.4 (4): beat 1, tie 2 -> 4 * (1 + 1) = 8; positive at 0.9 beats all 3 -> 3
    assertEquals(11.0 / 15, a.value(), 1e-15);
    assertEquals(8, a.rows());
  }

  @Test
  void rocAucOfAPerfectAndOfAnInvertedRanking() {
    assertEquals(1.0, measure(PermutationMetric.ROC_AUC, new float[] {0f, 1f, 2f}, 1, 0, new double[] {0, 1, 1}));
    assertEquals(0.0, measure(PermutationMetric.ROC_AUC, new float[] {0f, 1f, 2f}, 1, 0, new double[] {1, 0, 0}));
  }

  @Test
  void dropIsPositiveWhenTheModelGotWorse() {
    assertEquals(0.25, PermutationMetric.ACCURACY.drop(0.75, 0.5));
    assertEquals(0.25, PermutationMetric.ROC_AUC.drop(0.75, 0.5));
    assertEquals(0.25, PermutationMetric.MSE.drop(0.5, 0.75));
    assertEquals(0.25, PermutationMetric.LOG_LOSS.drop(0.5, 0.75));
  }

  @Test
  void refusesLabelsTheMetricCannotTake() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PermutationMetric.LOG_LOSS.rowValue(new float[] {0.5f, 0.5f}, 0, 2, 0, 2));
    assertTrue(e.getMessage().contains("class indices 0 to 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> PermutationMetric.ROC_AUC.rowValue(new float[] {0.5f}, 0, 1, 0, 0.5));
    assertThrows(IllegalArgumentException.class,
        () -> measure(PermutationMetric.ROC_AUC, new float[] {0.1f, 0.2f}, 1, 0, new double[] {1, 1}));
  }

  @Test
  void refusesValuesOutOfOrder() {
    PermutationMetric.Accumulator a = PermutationMetric.MSE.accumulator();
    a.add(2, false, 1);
    assertThrows(IllegalArgumentException.class, () -> a.add(1, false, 1));
  }
}
