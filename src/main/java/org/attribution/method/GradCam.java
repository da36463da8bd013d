package org.attribution.method;

import java.util.Arrays;
import java.util.List;
import org.attribution.model.ActivationModel;

/**
 * Grad-CAM (Selvaraju et al., 2017): for output c of a CNN with last-convolution activations
 * {@code A_k} (channel k, over a height x width grid), the weight of channel k is the mean over
 * the grid of {@code ∂y_c / ∂A_k}, and the map is {@code relu(Σ_k α_k A_k)}: where, on the
 * activations' grid, the evidence for c lies.
 *
 * <p>As an attribution method, each row's map is upsampled to the image's height x width by
 * bilinear interpolation, as in the paper, with the half-pixel convention of PyTorch's {@code
 * interpolate(mode="bilinear", align_corners=False)} (and OpenCV's {@code resize}, which the
 * reference implementations use): the map's cells are taken as covering the image evenly, so a
 * map at the image's own resolution is used as it is. A pixel's value is split equally over its
 * channels, so a pixel summed over its channels, or a patch (the sum over its pixels), gets the
 * map's value (summed over its pixels) whichever players the features make.
 *
 * <p>The map answers "where" and is not a decomposition of the output: like saliency, its
 * reference is f(x) itself and {@link Attributions#gap} is the sum of a row's attributions;
 * completeness is not expected of it.
 *
 * <p>Cost per row: the activations (the forward pass up to the last convolution) and one gradient
 * of the rest of the network with respect to them, which gives f(x) too. Rows are packed into
 * calls of at most {@code maxEvaluationRows} rows. Immutable; may be shared by threads.
 */
public final class GradCam implements AttributionMethod {

  private final ActivationModel model;
  private final int outputWidth;
  private final FeatureGroups groups;
  private final int maxEvaluationRows;
  private final int channels;
  private final int height;
  private final int width;
  private final Axis rowsFromMap;
  private final Axis columnsFromMap;

  /**
   * @param model the CNN, split at its last convolution
   * @param outputWidth the model's outputs per row
   * @param groups how the image's columns are summed into reported players
   * @param maxEvaluationRows the most rows passed to one model call: the memory budget
   * @throws IllegalArgumentException if the model's rows are not {@code [channels, height, width]}
   *     images or the groups do not cover them
   */
  public GradCam(ActivationModel model, int outputWidth, FeatureGroups groups, int maxEvaluationRows) {
    List<Integer> shape = model.inputShape();
    if (shape.size() != 3) {
      throw new IllegalArgumentException("Cannot compute Grad-CAM: it needs image rows, 'model.input_shape: [channels,"
          + " height, width]'; the model takes rows of shape " + shape);
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException("Cannot compute Grad-CAM: maxEvaluationRows must be at least 1, got "
          + maxEvaluationRows);
    }
    this.model = model;
    this.outputWidth = outputWidth;
    this.groups = groups;
    this.maxEvaluationRows = maxEvaluationRows;
    this.channels = shape.get(0);
    this.height = shape.get(1);
    this.width = shape.get(2);
    if (groups.columns() != channels * height * width) {
      throw new IllegalArgumentException("Cannot compute Grad-CAM: the features have " + groups.columns()
          + " columns, the model's " + shape + " images " + channels * height * width);
    }
    List<Integer> grid = model.activationShape();
    this.rowsFromMap = new Axis(grid.get(1), height);
    this.columnsFromMap = new Axis(grid.get(2), width);
  }

  @Override
  public Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds) {
    int columns = groups.columns();
    Batches.check(columns, outputWidth, inputs, rows, targets, rowSeeds);
    double[] outputs = new double[rows];
    double[] perColumn = new double[rows * columns];
    int pixels = height * width;
    for (int first = 0; first < rows; first += maxEvaluationRows) {
      int callRows = Math.min(maxEvaluationRows, rows - first);
      float[] callOutputs = new float[callRows];
      float[] maps = maps(model, Arrays.copyOfRange(inputs, first * columns, (first + callRows) * columns), callRows,
          Arrays.copyOfRange(targets, first, first + callRows), callOutputs);
      int cells = maps.length / callRows;
      for (int r = 0; r < callRows; r++) {
        outputs[first + r] = callOutputs[r];
        double[] pixel = upsample(Arrays.copyOfRange(maps, r * cells, (r + 1) * cells));
        int row = (first + r) * columns;
        for (int c = 0; c < channels; c++) {
          for (int p = 0; p < pixels; p++) {
            perColumn[row + c * pixels + p] = pixel[p] / channels;
          }
        }
      }
    }
    return new Attributions(rows, groups.players(), groups.sumByPlayer(perColumn, rows), outputs, outputs.clone());
  }

  /**
   * A map on the activations' grid, row-major, bilinearly upsampled to the image's height x width.
   */
  double[] upsample(float[] map) {
    int mapWidth = columnsFromMap.from;
    double[] image = new double[height * width];
    for (int y = 0; y < height; y++) {
      int top = rowsFromMap.lower[y] * mapWidth;
      int bottom = rowsFromMap.upper[y] * mapWidth;
      double down = rowsFromMap.weight[y];
      for (int x = 0; x < width; x++) {
        int left = columnsFromMap.lower[x];
        int right = columnsFromMap.upper[x];
        double across = columnsFromMap.weight[x];
        double upperRow = (1 - across) * map[top + left] + across * map[top + right];
        double lowerRow = (1 - across) * map[bottom + left] + across * map[bottom + right];
        image[y * width + x] = (1 - down) * upperRow + down * lowerRow;
      }
    }
    return image;
  }

  /**
   * Linear interpolation along one axis, from {@code from} map cells to {@code to} pixels: pixel i
   * sits at map coordinate {@code (i + 0.5) * from / to - 0.5}, clamped to the map, between cells
   * {@code lower[i]} and {@code upper[i]} with weight {@code weight[i]} on the upper one.
   */
  private static final class Axis {
    final int from;
    final int[] lower;
    final int[] upper;
    final double[] weight;

    Axis(int from, int to) {
      this.from = from;
      this.lower = new int[to];
      this.upper = new int[to];
      this.weight = new double[to];
      double scale = (double) from / to;
      for (int i = 0; i < to; i++) {
        double source = Math.max(0, (i + 0.5) * scale - 0.5);
        lower[i] = Math.min((int) source, from - 1);
        upper[i] = Math.min(lower[i] + 1, from - 1);
        weight[i] = source - lower[i];
      }
    }
  }

  /**
   * The maps of {@code rows} rows, at the activations' resolution.
   *
   * @param inputs {@code rows x inputWidth} values, row-major
   * @param targets for each row, the output explained
   * @param targetOutputs if not null, receives each row's output at its target
   * @return {@code rows x height x width} map values, row-major, each at least 0
   */
  public static float[] maps(ActivationModel model, float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    List<Integer> shape = model.activationShape();
    int channels = shape.get(0);
    int cells = shape.get(1) * shape.get(2);
    float[] activations = model.activations(inputs, rows);
    float[] gradients = model.activationGradient(activations, rows, targets, targetOutputs);
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
