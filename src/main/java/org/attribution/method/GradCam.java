package org.attribution.method;

import java.util.List;
import org.attribution.model.ActivationModel;

/**
 * Grad-CAM (Selvaraju et al., 2017): for output c of a CNN with last-convolution activations
 * {@code A_k} (channel k, over a height x width grid), the weight of channel k is the mean over
 * the grid of {@code ∂y_c / ∂A_k}, and the map is {@code relu(Σ_k α_k A_k)}: where, on the
 * activations' grid, the evidence for c lies. The map is at the activations' resolution; it
 * answers "where" and, unlike attributions, does not add up to the output.
 */
public final class GradCam {

  private GradCam() {}

  /**
   * The maps of {@code rows} rows.
   *
   * @param inputs {@code rows x inputWidth} values, row-major
   * @param targets for each row, the output explained
   * @return {@code rows x height x width} map values, row-major, each at least 0
   */
  public static float[] maps(ActivationModel model, float[] inputs, int rows, int[] targets) {
    List<Integer> shape = model.activationShape();
    int channels = shape.get(0);
    int cells = shape.get(1) * shape.get(2);
    float[] activations = model.activations(inputs, rows);
    float[] gradients = model.activationGradient(activations, rows, targets);
    float[] maps = new float[rows * cells];
    for (int r = 0; r < rows; r++) {
      int row = r * channels * cells;
      double[] map = new double[cells];
      for (int k = 0; k < channels; k++) {
        int channel = row + k * cells;
        double alpha = 0;
        for (int i = 0; i < cells; i++) {
          alpha += gradients[channel + i];
        }
        alpha /= cells;
        for (int i = 0; i < cells; i++) {
          map[i] += alpha * activations[channel + i];
        }
      }
      for (int i = 0; i < cells; i++) {
        maps[r * cells + i] = (float) Math.max(0, map[i]);
      }
    }
    return maps;
  }
}
