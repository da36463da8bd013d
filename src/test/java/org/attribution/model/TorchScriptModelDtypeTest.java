package org.attribution.model;

import static org.attribution.model.ModelFixtures.LINEAR;
import static org.attribution.model.ModelFixtures.LINEAR_BFLOAT16_OUTPUT;
import static org.attribution.model.ModelFixtures.LINEAR_BIAS;
import static org.attribution.model.ModelFixtures.LINEAR_FLOAT16_OUTPUT;
import static org.attribution.model.ModelFixtures.LINEAR_FLOAT64;
import static org.attribution.model.ModelFixtures.LINEAR_FLOAT64_FROZEN;
import static org.attribution.model.ModelFixtures.LINEAR_FLOAT64_OUTPUT;
import static org.attribution.model.ModelFixtures.LINEAR_WEIGHT;
import static org.attribution.model.ModelFixtures.path;
import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_RTOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The adapter on copies of the linear model y = W x + b that take or return other floating
 * dtypes than float32: the rows still travel as float32 and the answers are those of {@link
 * TorchScriptModelLinearTest}. W, b and the inputs are dyadic with few bits, so the outputs and
 * gradients are exact in every one of these dtypes, bfloat16's 8 significant bits included, and
 * must come back exactly.
 */
class TorchScriptModelDtypeTest {

  /**
   * Rows for a padded call (under {@link TorchScriptModel#MIN_CALL_ROWS}) and an unpadded one:
   * {@code x[r][c] = ((7r + 3c) mod 16 - 8) / 4}, so |y| <= 13.5 in steps of 1/16: at most 8
   * significant bits.
   */
  private static final int[] CALL_ROWS = {3, TorchScriptModel.MIN_CALL_ROWS + 8};

  private static TorchScriptModel load(String fixture, OutputTransform transform) {
    return TorchScriptModel.load(path(fixture), Device.cpu(), transform, 4);
  }

  private static float[] inputs(int rows) {
    float[] inputs = new float[rows * 4];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < 4; c++) {
        inputs[4 * r + c] = ((7 * r + 3 * c) % 16 - 8) / 4.0f;
      }
    }
    return inputs;
  }

  /** W x + b of every row, computed exactly. */
  private static double[] logits(float[] inputs, int rows) {
    double[] logits = new double[rows * 2];
    for (int r = 0; r < rows; r++) {
      for (int k = 0; k < 2; k++) {
        double z = LINEAR_BIAS[k];
        for (int c = 0; c < 4; c++) {
          z += (double) LINEAR_WEIGHT[k][c] * inputs[4 * r + c];
        }
        logits[2 * r + k] = z;
      }
    }
    return logits;
  }

  /**
   * The dtype found at load: float64 for the float64 models, also the frozen one, which has no
   * parameters to tell it and is found by trying float32 first; float32 for models that only
   * return another dtype.
   */
  @ParameterizedTest
  @MethodSource
  void findsTheInputDtypeTheModelTakes(String fixture, DataType dtype) {
    try (TorchScriptModel model = load(fixture, OutputTransform.IDENTITY)) {
      assertEquals(dtype, model.inputType());
      assertEquals(2, model.outputWidth());
    }
  }

  static Stream<Arguments> findsTheInputDtypeTheModelTakes() {
    return Stream.of(
        Arguments.of(LINEAR, DataType.FLOAT32),
        Arguments.of(LINEAR_FLOAT64, DataType.FLOAT64),
        Arguments.of(LINEAR_FLOAT64_FROZEN, DataType.FLOAT64),
        Arguments.of(LINEAR_FLOAT64_OUTPUT, DataType.FLOAT32),
        Arguments.of(LINEAR_FLOAT16_OUTPUT, DataType.FLOAT32),
        Arguments.of(LINEAR_BFLOAT16_OUTPUT, DataType.FLOAT32));
  }

  @ParameterizedTest
  @ValueSource(strings = {
    LINEAR_FLOAT64, LINEAR_FLOAT64_FROZEN, LINEAR_FLOAT64_OUTPUT, LINEAR_FLOAT16_OUTPUT,
    LINEAR_BFLOAT16_OUTPUT})
  void forwardAndGradientAreTheClosedForm(String fixture) {
    try (TorchScriptModel model = load(fixture, OutputTransform.IDENTITY)) {
      for (int rows : CALL_ROWS) {
        float[] inputs = inputs(rows);
        double[] logits = logits(inputs, rows);
        int[] targets = new int[rows];
        float[] expectedGradient = new float[rows * 4];
        float[] expectedOutputs = new float[rows];
        for (int r = 0; r < rows; r++) {
          targets[r] = r % 2;
          System.arraycopy(LINEAR_WEIGHT[targets[r]], 0, expectedGradient, 4 * r, 4);
          expectedOutputs[r] = (float) logits[2 * r + targets[r]];
        }
        String call = fixture + ", " + rows + " rows";
        assertArrayEquals(toFloats(logits), model.forward(inputs, rows), call + ": forward");
        float[] targetOutputs = new float[rows];
        assertArrayEquals(expectedGradient, model.gradient(inputs, rows, targets, targetOutputs),
            call + ": gradient");
        assertArrayEquals(expectedOutputs, targetOutputs, call + ": target outputs");
      }
    }
  }

  /**
   * The softmax and its gradient p_t (W[t] - sum_k p_k W[k]), taken on float64 outputs and on
   * half-precision ones (widened to float32 first). The outputs here are exact in every dtype,
   * so the softmax is float32-close; but on its way back through the model's cast the gradient
   * g_k of each output is rounded to that output's dtype, so the input gradient sum_k g_k W[k]
   * is off by up to u sum_k |g_k W[k]| <= 1.5 u for unit roundoff u (|g_k| <= 1/4, |W| <= 3).
   *
   * @param gradientAtol 2 u: 2^-10 for float16 (u = 2^-11), 2^-7 for bfloat16 (u = 2^-8)
   */
  @ParameterizedTest
  @MethodSource
  void transformsApplyToOutputsOfEveryDtype(String fixture, double gradientAtol) {
    int rows = CALL_ROWS[0];
    float[] inputs = inputs(rows);
    double[] logits = logits(inputs, rows);
    int[] targets = new int[rows];
    double[] expectedForward = new double[rows * 2];
    double[] expectedGradient = new double[rows * 4];
    for (int r = 0; r < rows; r++) {
      targets[r] = r % 2;
      double max = Math.max(logits[2 * r], logits[2 * r + 1]);
      double e0 = Math.exp(logits[2 * r] - max);
      double e1 = Math.exp(logits[2 * r + 1] - max);
      double[] p = {e0 / (e0 + e1), e1 / (e0 + e1)};
      expectedForward[2 * r] = p[0];
      expectedForward[2 * r + 1] = p[1];
      for (int c = 0; c < 4; c++) {
        double mean = p[0] * LINEAR_WEIGHT[0][c] + p[1] * LINEAR_WEIGHT[1][c];
        expectedGradient[4 * r + c] = p[targets[r]] * (LINEAR_WEIGHT[targets[r]][c] - mean);
      }
    }
    try (TorchScriptModel model = load(fixture, OutputTransform.SOFTMAX)) {
      assertClose(expectedForward, model.forward(inputs, rows),
          FLOAT32_ATOL, FLOAT32_RTOL, fixture + ": softmax outputs");
      assertClose(expectedGradient, model.gradient(inputs, rows, targets, null),
          gradientAtol, FLOAT32_RTOL, fixture + ": softmax gradient");
    }
  }

  static Stream<Arguments> transformsApplyToOutputsOfEveryDtype() {
    return Stream.of(
        Arguments.of(LINEAR_FLOAT64, FLOAT32_ATOL),
        Arguments.of(LINEAR_FLOAT16_OUTPUT, 0x1p-10),
        Arguments.of(LINEAR_BFLOAT16_OUTPUT, 0x1p-7));
  }

  /** A float64 model that fits in neither dtype fails with the error of float64, its own. */
  @Test
  void wrongDeclaredWidthOfAFloat64ModelNamesFloat64() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(
            path(LINEAR_FLOAT64), Device.cpu(), OutputTransform.IDENTITY, 5));
    assertEquals("Cannot load model linear_float64.pt: it does not run on a float64 row of width 5: "
        + "mat1 and mat2 shapes cannot be multiplied (1x5 and 4x2)", e.getMessage());
  }

  private static float[] toFloats(double[] values) {
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      floats[i] = (float) values[i];
    }
    return floats;
  }
}
