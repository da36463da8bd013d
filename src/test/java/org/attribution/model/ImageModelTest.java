package org.attribution.model;

import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Image models through {@code model.input_shape}: the adapter reshapes flat rows to [rows, 1, H,
 * W]. On the digits CNN its softmax outputs and input gradients agree with PyTorch's own; on the
 * tiny fixed CNN its outputs are those computed by hand, which a transposed or otherwise
 * misplaced reshape would not give.
 */
class ImageModelTest {

  static final Path DIGITS_MODEL = Path.of("data-sample/digits/digits_cnn.pt");
  static final Path TINY_CNN = Path.of("src/test/resources/digits/tiny_cnn.pt");

  static TorchScriptModel load(Path file, OutputTransform transform, List<Integer> shape) throws IOException {
    return TorchScriptModel.load(file.getFileName().toString(), Files.readAllBytes(file), Device.cpu(), transform,
        new InputShape(shape));
  }

  @Test
  void theDigitsCnnAgreesWithPyTorchsOutputsAndGradients() throws IOException {
    JsonNode reference = new ObjectMapper().readTree(Path.of("src/test/resources/digits/reference.json").toFile());
    try (TorchScriptModel model = load(DIGITS_MODEL, OutputTransform.SOFTMAX, List.of(1, 8, 8))) {
      assertEquals(64, model.inputWidth());
      assertEquals(10, model.outputWidth());
      for (JsonNode row : reference.get("rows")) {
        float[] input = floats(row.get("input"));
        int target = row.get("target").asInt();
        assertClose(doubles(row.get("softmax")), model.forward(input, 1), 1e-6, 1e-5, "softmax of " + row.get("id"));
        float[] output = new float[1];
        assertClose(doubles(row.get("gradient")), model.gradient(input, 1, new int[] {target}, output), 1e-6, 1e-4,
            "gradient of " + row.get("id"));
      }
    }
  }

  @Test
  void aCnnGivenFlatRowsFailsWithTheShapeItWasGiven() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(DIGITS_MODEL, Device.cpu(), OutputTransform.IDENTITY, 64));
    assertTrue(e.getMessage().contains("row of width 64"), e.getMessage());
  }

  /**
   * tiny_cnn.pt (scripts/train_digits_model.py): A_k = relu(w_k x + b_k) with w = (1, -0.5), b =
   * (0, 1); y_c = Σ_{k,i,j} V[c,k,i,j] A_k[i,j] + d_c with V[c,k,i,j] = (32c + 16k + 4i + j) / 16 - 2
   * and d = (0.5, -0.5).
   */
  @Test
  void theTinyCnnSeesEachRowAsItsRowMajorImage() throws IOException {
    float[] image = new float[16];
    for (int p = 0; p < 16; p++) {
      image[p] = (p % 5) - 1.5f;
    }
    try (TorchScriptModel model = load(TINY_CNN, OutputTransform.IDENTITY, List.of(1, 4, 4))) {
      float[] outputs = model.forward(image, 1);
      for (int c = 0; c < 2; c++) {
        double expected = c == 0 ? 0.5 : -0.5;
        for (int k = 0; k < 2; k++) {
          for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
              expected += TinyCnn.v(c, k, i, j) * TinyCnn.activation(k, image[4 * i + j]);
            }
          }
        }
        assertEquals(expected, outputs[c], 1e-5, "logit " + c);
      }
    }
  }

  /** The tiny CNN's weights, as scripts/train_digits_model.py sets them. */
  static final class TinyCnn {
    static double v(int c, int k, int i, int j) {
      return (32 * c + 16 * k + 4 * i + j) / 16.0 - 2;
    }

    static double activation(int k, double x) {
      return Math.max(0, k == 0 ? x : 1 - 0.5 * x);
    }
  }

  private static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }
}
