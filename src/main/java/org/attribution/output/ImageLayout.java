package org.attribution.output;

import java.util.List;
import java.util.Map;
import org.attribution.config.FeaturesConfig;
import org.attribution.config.ModelConfig;
import org.attribution.method.ImagePatches;

/**
 * Where each player of an image model lies in the image, for heat maps: the pixels (row-major
 * {@code y * width + x}) that a pixel player, or a patch, covers. Channels fold onto the same
 * pixels.
 *
 * @param height the image's height
 * @param width the image's width
 * @param pixelsOfPlayer per player, by name, the pixels it covers
 */
public record ImageLayout(int height, int width, Map<String, List<Integer>> pixelsOfPlayer) {

  public ImageLayout {
    pixelsOfPlayer = Map.copyOf(pixelsOfPlayer);
  }

  /**
   * The layout of a run's players, or null when its rows are not images: no {@code
   * model.input_shape} of two or more dimensions, or players that are not single pixels or patches
   * (named groups).
   *
   * @param players the players' names, in player order
   */
  public static ImageLayout of(ModelConfig model, FeaturesConfig features, List<String> players) {
    List<Integer> shape = model.inputShape();
    if (shape == null || shape.size() < 2 || features.vectorColumn() == null || !features.groups().isEmpty()) {
      return null;
    }
    int height = shape.get(shape.size() - 2);
    int width = shape.get(shape.size() - 1);
    int pixels = height * width;
    Map<String, List<Integer>> layout = new java.util.LinkedHashMap<>();
    if (features.patches() != null) {
      ImagePatches.columns(shape, features.patches().size()).forEach((patch, columns) ->
          layout.put(patch, columns.stream().map(c -> c % pixels).distinct().toList()));
    } else {
      for (int p = 0; p < players.size(); p++) {
        layout.put(players.get(p), List.of(p % pixels));
      }
    }
    if (!layout.keySet().containsAll(players) || layout.size() != players.size()) {
      return null;
    }
    return new ImageLayout(height, width, layout);
  }

  /**
   * Per pixel, the sum of {@code value} over the players covering it (a patch gives its value to
   * each of its pixels); players not in the layout are left out.
   */
  public double[] pixels(Map<String, Double> value) {
    double[] out = new double[height * width];
    value.forEach((player, v) -> {
      for (int pixel : pixelsOfPlayer.getOrDefault(player, List.of())) {
        out[pixel] += v;
      }
    });
    return out;
  }

  /**
   * The image a row shows, per pixel the mean of its channels: {@code input} is the model's input
   * for the row, channel after channel, each {@code height x width} row-major.
   */
  public double[] image(float[] input) {
    int pixels = height * width;
    double[] out = new double[pixels];
    int channels = Math.max(1, input.length / pixels);
    for (int c = 0; c < channels * pixels && c < input.length; c++) {
      out[c % pixels] += input[c] / (double) channels;
    }
    return out;
  }
}
