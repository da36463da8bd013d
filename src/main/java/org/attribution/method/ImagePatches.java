package org.attribution.method;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Patches of an image as players: each {@code size[0] x size[1]} block of pixels, over every
 * channel, is one player, so the SHAP family switches it on and off as a whole and reports one
 * attribution for it.
 *
 * <p>The image is a row laid out row-major in the model's input shape: {@code [height, width]},
 * or {@code [channels, height, width]} (any leading dimensions count as channels). Patches tile
 * the image from the top left corner; where the size does not divide the image, the last row or
 * column of patches is narrower. Patch {@code (i, j)} is named {@code patch_i_j}.
 */
public final class ImagePatches {

  private ImagePatches() {}

  /**
   * The columns of each patch, in row-major patch order.
   *
   * @param shape one row's shape, without the batch dimension; at least two dimensions
   * @param size the patch's height and width
   * @return patch name to the indices of its columns in the flat row
   * @throws IllegalArgumentException for a shape of fewer than two dimensions or a size that is
   *     not two numbers of at least 1
   */
  public static Map<String, List<Integer>> columns(List<Integer> shape, List<Integer> size) {
    if (shape.size() < 2) {
      throw new IllegalArgumentException("Cannot cut patches from rows of shape " + shape
          + ": patches need an image, [height, width] or [channels, height, width]");
    }
    if (size.size() != 2 || size.get(0) < 1 || size.get(1) < 1) {
      throw new IllegalArgumentException("A patch size is [height, width], each at least 1; got " + size);
    }
    int height = shape.get(shape.size() - 2);
    int width = shape.get(shape.size() - 1);
    int channels = 1;
    for (int d = 0; d < shape.size() - 2; d++) {
      channels *= shape.get(d);
    }
    int patchHeight = size.get(0);
    int patchWidth = size.get(1);
    Map<String, List<Integer>> patches = new LinkedHashMap<>();
    for (int top = 0; top < height; top += patchHeight) {
      for (int left = 0; left < width; left += patchWidth) {
        List<Integer> columns = new ArrayList<>();
        for (int c = 0; c < channels; c++) {
          for (int y = top; y < Math.min(height, top + patchHeight); y++) {
            for (int x = left; x < Math.min(width, left + patchWidth); x++) {
              columns.add((c * height + y) * width + x);
            }
          }
        }
        patches.put("patch_" + top / patchHeight + "_" + left / patchWidth, List.copyOf(columns));
      }
    }
    return patches;
  }
}
