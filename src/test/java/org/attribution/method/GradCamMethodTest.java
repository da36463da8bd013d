package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.attribution.model.ActivationModel;
import org.junit.jupiter.api.Test;

/**
 * Grad-CAM as a job method, on a hand-made split CNN over {@code [2, 4, 4]} images: the
 * activations are one channel on a {@code grid x grid} map whose cell is the sum of channel 0
 * over its block of pixels, and output c is {@code w_c · A} with constant {@code w_c}, so α = w_c and
 * the map is {@code relu(w_c A)}, known exactly.
 */
class GradCamMethodTest {

  /** Output 0 weighs every cell by 1, output 1 by -1 (whose map is 0 everywhere). */
  private static final double[] WEIGHT = {1, -1};

  /** The split model; {@code grid} is 2 (blocks of 2 x 2 pixels) or 4 (one pixel a cell). */
  private static class BlockSums implements ActivationModel {
    private final int grid;

    BlockSums(int grid) {
      this.grid = grid;
    }

    @Override
    public List<Integer> inputShape() {
      return List.of(2, 4, 4);
    }

    @Override
    public List<Integer> activationShape() {
      return List.of(1, grid, grid);
    }

    @Override
    public float[] activations(float[] inputs, int rows) {
      int block = 4 / grid;
      float[] a = new float[rows * grid * grid];
      for (int r = 0; r < rows; r++) {
        for (int y = 0; y < 4; y++) {
          for (int x = 0; x < 4; x++) {
            a[r * grid * grid + (y / block) * grid + x / block] += inputs[r * 32 + y * 4 + x];
          }
        }
      }
      return a;
    }

    @Override
    public float[] activationGradient(float[] activations, int rows, int[] targets, float[] targetOutputs) {
      int cells = grid * grid;
      float[] gradient = new float[rows * cells];
      for (int r = 0; r < rows; r++) {
        double output = 0;
        for (int i = 0; i < cells; i++) {
          gradient[r * cells + i] = (float) WEIGHT[targets[r]];
          output += WEIGHT[targets[r]] * activations[r * cells + i];
        }
        if (targetOutputs != null) {
          targetOutputs[r] = (float) output;
        }
      }
      return gradient;
    }
  }

  /** An image whose channel-0 2 x 2 block sums are [[0, 1], [2, 3]]; channel 1 is never looked at. */
  private static float[] image() {
    float[] image = new float[32];
    float[] blockSums = {0, 1, 2, 3};
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 4; x++) {
        image[y * 4 + x] = blockSums[(y / 2) * 2 + x / 2] / 4;
        image[16 + y * 4 + x] = 7;
      }
    }
    return image;
  }

  /**
   * The 2 x 2 map [[0, 1], [2, 3]] upsampled to 4 x 4 as PyTorch's {@code interpolate(mode="bilinear",
   * align_corners=False)} gives it: pixel i samples the map at {@code max(0, (i + 0.5) / 2 - 0.5)}, i.e. at
   * 0, 0.25, 0.75 and 1 (clamped), and a map linear in its cells, {@code 2 y + x}, stays linear.
   */
  private static final double[][] UPSAMPLED = {
    {0, 0.25, 0.75, 1},
    {0.5, 0.75, 1.25, 1.5},
    {1.5, 1.75, 2.25, 2.5},
    {2, 2.25, 2.75, 3}
  };

  @Test
  void aCoarseMapIsUpsampledBilinearlyAndSplitOverChannels() {
    Attributions result = new GradCam(new BlockSums(2), 2, FeatureGroups.identity(32), 4)
        .attribute(image(), 1, new int[] {0});
    for (int c = 0; c < 2; c++) {
      for (int y = 0; y < 4; y++) {
        for (int x = 0; x < 4; x++) {
          assertEquals(UPSAMPLED[y][x] / 2, result.value(0, c * 16 + y * 4 + x), 1e-12, c + "," + y + "," + x);
        }
      }
    }
    // not complete: the reference is f(x) itself (0 + 1 + 2 + 3), the gap the sum of the map
    assertEquals(6, result.outputs()[0], 1e-6);
    assertEquals(6, result.references()[0], 1e-6);
    assertEquals(24, result.gap(0), 1e-9);
  }

  @Test
  void aMapAtTheImagesResolutionIsUsedAsItIs() {
    float[] image = image();
    Attributions result = new GradCam(new BlockSums(4), 2, FeatureGroups.identity(32), 4)
        .attribute(image, 1, new int[] {0});
    for (int pixel = 0; pixel < 16; pixel++) {
      assertEquals(image[pixel] / 2, result.value(0, pixel), 1e-7);
      assertEquals(image[pixel] / 2, result.value(0, 16 + pixel), 1e-7);
    }
  }

  @Test
  void patchesSumTheirPixelsOverChannelsAndANegativeMapIsCutToZero() {
    Map<String, List<Integer>> patches = ImagePatches.columns(List.of(2, 4, 4), List.of(2, 2));
    int[] playerOf = new int[32];
    int player = 0;
    for (List<Integer> columns : patches.values()) {
      for (int column : columns) {
        playerOf[column] = player;
      }
      player++;
    }
    float[] twoRows = new float[64];
    System.arraycopy(image(), 0, twoRows, 0, 32);
    System.arraycopy(image(), 0, twoRows, 32, 32);
    // three rows per call at most: the two rows go through one call, then the same in calls of one
    for (int callRows : new int[] {3, 1}) {
      Attributions result = new GradCam(new BlockSums(2), 2, new FeatureGroups(playerOf, 4), callRows)
          .attribute(twoRows, 2, new int[] {0, 1});
      for (int p = 0; p < 4; p++) {
        int top = 2 * (p / 2);
        int left = 2 * (p % 2);
        double expected = UPSAMPLED[top][left] + UPSAMPLED[top][left + 1] + UPSAMPLED[top + 1][left]
            + UPSAMPLED[top + 1][left + 1];
        assertEquals(expected, result.value(0, p), 1e-12, "patch " + p);
        assertEquals(0, result.value(1, p), "output 1's map, relu(-A), is 0");
      }
      assertEquals(-6, result.outputs()[1], 1e-6);
    }
  }

  @Test
  void rowsThatAreNotImagesAreRefused() {
    ActivationModel flat = new BlockSums(2) {
      @Override
      public List<Integer> inputShape() {
        return List.of(32);
      }
    };
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new GradCam(flat, 2, FeatureGroups.identity(32), 4));
    assertTrue(e.getMessage().contains("model.input_shape: [channels, height, width]"), e.getMessage());
  }
}
