package org.attribution.method;

import java.util.Arrays;
import org.attribution.model.ModelFunction;

/**
 * Occlusion, or leave-one-out (Zeiler and Fergus, 2014, for image patches; Captum's {@code
 * FeatureAblation} for tabular players): the attribution of player i is {@code f(x) - v(N \ {i})},
 * where {@code v(N \ {i})} is the model with player i's columns taken from the background and the
 * others from x, averaged over the background's weights ({@link CoalitionEvaluator}). A baseline
 * vector is the background of one row.
 *
 * <p>For an additive model, {@code f(x) = sum_i g_i(x_i)}, each attribution is exactly {@code
 * g_i(x_i) - E[g_i(b_i)]}, which are also its Shapley values. Otherwise the attributions do not
 * add up to {@code f(x) - reference} (interactions are counted once per player they involve, or
 * not at all), so completeness is not expected of occlusion.
 *
 * <p>Outputs are f(x) and references the base value: the weighted mean of the model over the
 * background, f(baseline) for a baseline. Cost per row: {@code players x background rows} model
 * evaluations plus one forward pass. A model call never mixes rows (see {@link
 * CoalitionEvaluator}); immutable, may be shared by threads.
 */
public final class Occlusion implements AttributionMethod {

  private final BackgroundExplainer explainer;
  private final CoalitionEvaluator evaluator;

  /**
   * @param model the model to explain
   * @param background what an occluded player takes: the background rows, or one baseline row
   * @param groups how input columns map onto the occluded players
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @throws IllegalArgumentException if the arguments do not fit the model or each other
   */
  public Occlusion(ModelFunction model, Background background, FeatureGroups groups, int maxEvaluationRows) {
    this.explainer = new BackgroundExplainer("compute occlusion", model, background, groups, maxEvaluationRows);
    this.evaluator = explainer.evaluator();
  }

  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    explainer.checkBatch(inputs, rows, targets, rowSeeds);
    int players = explainer.players();
    int width = explainer.width;
    double[] outputs = explainer.outputs(inputs, rows, targets);
    double[] values = new double[rows * players];
    int groupRows = Math.min(rows, explainer.unitsPerEvaluation(players));
    for (int first = 0; first < rows; first += groupRows) {
      int n = Math.min(groupRows, rows - first);
      // Coalition i of a row holds every player but i.
      boolean[] masks = new boolean[n * players * players];
      Arrays.fill(masks, true);
      for (int k = 0; k < n * players; k++) {
        masks[k * players + k % players] = false;
      }
      double[] occluded = evaluator.evaluate(Arrays.copyOfRange(inputs, first * width, (first + n) * width), n,
          Arrays.copyOfRange(targets, first, first + n), masks, players);
      for (int i = 0; i < n * players; i++) {
        values[first * players + i] = outputs[first + i / players] - occluded[i];
      }
    }
    return new Attributions(rows, players, values, outputs, explainer.references(rows, targets));
  }
}
