package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A row's outputs and gradients must not depend on how many rows share its model call: batch
 * sizes, partitioning and the last short batch of a partition decide that, and a run must give
 * the same numbers however its input is split. libtorch's CPU matrix multiply rounds differently
 * for calls of a few rows (up to 3 or up to 15, depending on the processor), so this is checked
 * bit for bit, at every size up to 40 and every start, which covers calls below and above the
 * size short calls are padded to.
 *
 * <p>The sample model stands for models whose first layer is wide enough that the matrix library
 * packs its operands. One as narrow as the 6-input test MLP is multiplied in place, and there a
 * row's last bits also depend on its alignment in the call (odd rows differ), which no call
 * layout outside the model can fix; methods whose calls never mix rows are exact regardless.
 */
class TorchScriptModelCallSizeTest {

  private static final int LARGE_CALL = 300;

  private static final Path SAMPLE_MODEL = Path.of("data-sample/model/lending_club_mlp.pt");
  private static final int WIDTH = 119;

  @Test
  void everyCallSizeGivesEachRowTheResultsOfALargeCall() {
    int width = WIDTH;
    try (TorchScriptModel model = TorchScriptModel.load(SAMPLE_MODEL, Device.cpu(), OutputTransform.SOFTMAX, width)) {
      Random random = new Random(7);
      float[] inputs = new float[LARGE_CALL * width];
      for (int i = 0; i < inputs.length; i++) {
        inputs[i] = (float) (2 * random.nextGaussian());
      }
      int outputs = model.outputWidth();
      int[] targets = new int[LARGE_CALL];
      for (int r = 0; r < LARGE_CALL; r++) {
        targets[r] = r % outputs;
      }
      float[] forward = model.forward(inputs, LARGE_CALL);
      float[] targetOutputs = new float[LARGE_CALL];
      float[] gradient = model.gradient(inputs, LARGE_CALL, targets, targetOutputs);

      for (int rows = 1; rows <= 40; rows++) {
        for (int first = 0; first + rows <= 81; first += rows) {
          String call = "rows " + first + " to " + (first + rows - 1) + " in a call of " + rows;
          float[] x = Arrays.copyOfRange(inputs, first * width, (first + rows) * width);
          int[] t = Arrays.copyOfRange(targets, first, first + rows);
          float[] callOutputs = new float[rows];
          assertArrayEquals(Arrays.copyOfRange(forward, first * outputs, (first + rows) * outputs),
              model.forward(x, rows), call + ": forward");
          assertArrayEquals(Arrays.copyOfRange(gradient, first * width, (first + rows) * width),
              model.gradient(x, rows, t, callOutputs), call + ": gradient");
          assertArrayEquals(Arrays.copyOfRange(targetOutputs, first, first + rows), callOutputs,
              call + ": target outputs");
        }
      }
    }
  }
}
