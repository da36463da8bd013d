package org.attribution.model;

import static org.attribution.model.ModelFixtures.LINEAR;
import static org.attribution.model.ModelFixtures.LINEAR_BIAS;
import static org.attribution.model.ModelFixtures.LINEAR_SINGLE_OUTPUT;
import static org.attribution.model.ModelFixtures.LINEAR_WEIGHT;
import static org.attribution.model.ModelFixtures.flatten;
import static org.attribution.model.ModelFixtures.path;
import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_RTOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adapter on y = W x + b, whose answers are known in closed form: the gradient of output t
 * is row t of W; through a sigmoid it is s(1 - s) W[t]; through a softmax it is
 * p_t (W[t] - sum_k p_k W[k]). W, b and the inputs are small dyadic numbers, so the raw outputs
 * and gradients are exact in float32.
 */
class TorchScriptModelLinearTest {

  private static final float[][] INPUTS = {
    {1.0f, 2.0f, 3.0f, 4.0f},
    {-1.0f, 0.5f, 2.0f, -2.0f},
    {0.0f, 0.0f, 0.0f, 0.0f},
  };
  private static final int[] TARGETS = {0, 1, 1};

  private static TorchScriptModel load(OutputTransform transform) {
    return TorchScriptModel.load(path(LINEAR), Device.cpu(), transform, 4);
  }

  /** W x + b of every input row, computed exactly. */
  private static double[][] logits() {
    double[][] logits = new double[INPUTS.length][2];
    for (int r = 0; r < INPUTS.length; r++) {
      for (int k = 0; k < 2; k++) {
        double z = LINEAR_BIAS[k];
        for (int c = 0; c < 4; c++) {
          z += (double) LINEAR_WEIGHT[k][c] * INPUTS[r][c];
        }
        logits[r][k] = z;
      }
    }
    return logits;
  }

  @Test
  void reportsWidths() {
    try (TorchScriptModel model = load(OutputTransform.IDENTITY)) {
      assertEquals(4, model.inputWidth());
      assertEquals(2, model.outputWidth());
    }
  }

  @Test
  void identityForwardIsExact() {
    double[][] logits = logits();
    float[] expected = new float[INPUTS.length * 2];
    for (int r = 0; r < INPUTS.length; r++) {
      expected[2 * r] = (float) logits[r][0];
      expected[2 * r + 1] = (float) logits[r][1];
    }
    try (TorchScriptModel model = load(OutputTransform.IDENTITY)) {
      assertArrayEquals(expected, model.forward(flatten(INPUTS), INPUTS.length));
    }
  }

  /**
   * The head of a longer buffer gives what the same rows give on their own, bit for bit: the rows
   * after them never reach the call. A buffer shorter than the rows asked for is refused.
   */
  @Test
  void forwardOfABuffersHeadIsForwardOfItsRows() {
    float[] rows = flatten(INPUTS);
    float[] buffer = Arrays.copyOf(rows, rows.length + 3 * 4);
    Arrays.fill(buffer, rows.length, buffer.length, Float.NaN);
    try (TorchScriptModel model = load(OutputTransform.IDENTITY)) {
      assertArrayEquals(model.forward(rows, INPUTS.length), model.forwardHead(buffer, INPUTS.length));
      assertArrayEquals(model.forward(Arrays.copyOf(rows, 4), 1), model.forwardHead(buffer, 1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> model.forwardHead(rows, INPUTS.length + 1));
      assertTrue(e.getMessage().contains("expected at least " + (INPUTS.length + 1) + " rows of 4 values"),
          e.getMessage());
    }
  }

  @Test
  void identityGradientIsTheTargetRowOfWeightsPerRow() {
    float[] expected = new float[INPUTS.length * 4];
    float[] expectedOutputs = new float[INPUTS.length];
    double[][] logits = logits();
    for (int r = 0; r < INPUTS.length; r++) {
      System.arraycopy(LINEAR_WEIGHT[TARGETS[r]], 0, expected, 4 * r, 4);
      expectedOutputs[r] = (float) logits[r][TARGETS[r]];
    }
    float[] targetOutputs = new float[INPUTS.length];
    try (TorchScriptModel model = load(OutputTransform.IDENTITY)) {
      float[] gradient = model.gradient(flatten(INPUTS), INPUTS.length, TARGETS, targetOutputs);
      assertArrayEquals(expected, gradient);
      assertArrayEquals(expectedOutputs, targetOutputs);
    }
  }

  @Test
  void sigmoidForwardAndGradientFollowTheChainRule() {
    double[][] logits = logits();
    double[] expectedForward = new double[INPUTS.length * 2];
    double[] expectedGradient = new double[INPUTS.length * 4];
    double[] expectedOutputs = new double[INPUTS.length];
    for (int r = 0; r < INPUTS.length; r++) {
      for (int k = 0; k < 2; k++) {
        expectedForward[2 * r + k] = sigmoid(logits[r][k]);
      }
      double s = sigmoid(logits[r][TARGETS[r]]);
      expectedOutputs[r] = s;
      for (int c = 0; c < 4; c++) {
        expectedGradient[4 * r + c] = s * (1 - s) * LINEAR_WEIGHT[TARGETS[r]][c];
      }
    }
    float[] targetOutputs = new float[INPUTS.length];
    try (TorchScriptModel model = load(OutputTransform.SIGMOID)) {
      assertClose(expectedForward, model.forward(flatten(INPUTS), INPUTS.length),
          FLOAT32_ATOL, FLOAT32_RTOL, "sigmoid outputs");
      assertClose(expectedGradient,
          model.gradient(flatten(INPUTS), INPUTS.length, TARGETS, targetOutputs),
          FLOAT32_ATOL, FLOAT32_RTOL, "sigmoid gradient");
      assertClose(expectedOutputs, targetOutputs, FLOAT32_ATOL, FLOAT32_RTOL, "sigmoid targets");
    }
  }

  @Test
  void softmaxForwardAndGradientFollowTheChainRule() {
    double[][] logits = logits();
    double[] expectedForward = new double[INPUTS.length * 2];
    double[] expectedGradient = new double[INPUTS.length * 4];
    for (int r = 0; r < INPUTS.length; r++) {
      double max = Math.max(logits[r][0], logits[r][1]);
      double e0 = Math.exp(logits[r][0] - max);
      double e1 = Math.exp(logits[r][1] - max);
      double[] p = {e0 / (e0 + e1), e1 / (e0 + e1)};
      expectedForward[2 * r] = p[0];
      expectedForward[2 * r + 1] = p[1];
      int t = TARGETS[r];
      for (int c = 0; c < 4; c++) {
        double mean = p[0] * LINEAR_WEIGHT[0][c] + p[1] * LINEAR_WEIGHT[1][c];
        expectedGradient[4 * r + c] = p[t] * (LINEAR_WEIGHT[t][c] - mean);
      }
    }
    try (TorchScriptModel model = load(OutputTransform.SOFTMAX)) {
      assertClose(expectedForward, model.forward(flatten(INPUTS), INPUTS.length),
          FLOAT32_ATOL, FLOAT32_RTOL, "softmax outputs");
      assertClose(expectedGradient, model.gradient(flatten(INPUTS), INPUTS.length, TARGETS, null),
          FLOAT32_ATOL, FLOAT32_RTOL, "softmax gradient");
    }
  }

  @Test
  void singleOutputModelHasOneOutputPerRow() {
    float[] inputs = flatten(INPUTS);
    int[] targets = new int[INPUTS.length];
    float[] expectedForward = new float[INPUTS.length];
    double[][] logits = logits();
    for (int r = 0; r < INPUTS.length; r++) {
      expectedForward[r] = (float) logits[r][0];
    }
    float[] targetOutputs = new float[INPUTS.length];
    try (TorchScriptModel model =
        TorchScriptModel.load(path(LINEAR_SINGLE_OUTPUT), Device.cpu(), OutputTransform.IDENTITY, 4)) {
      assertEquals(1, model.outputWidth());
      assertArrayEquals(expectedForward, model.forward(inputs, INPUTS.length));
      float[] gradient = model.gradient(inputs, INPUTS.length, targets, targetOutputs);
      for (int r = 0; r < INPUTS.length; r++) {
        assertArrayEquals(LINEAR_WEIGHT[0], Arrays.copyOfRange(gradient, 4 * r, 4 * r + 4));
      }
      assertArrayEquals(expectedForward, targetOutputs);
    }
  }

  @Test
  void softmaxOverASingleOutputIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(
            path(LINEAR_SINGLE_OUTPUT), Device.cpu(), OutputTransform.SOFTMAX, 4));
    assertEquals("Cannot load model linear_single_output.pt: softmax over a single output is "
        + "always 1; use sigmoid or identity", e.getMessage());
  }

  @Test
  void loadsFromBytes() throws Exception {
    byte[] bytes = Files.readAllBytes(path(LINEAR));
    try (TorchScriptModel model =
        TorchScriptModel.load("s3://bucket/linear.pt", bytes, Device.cpu(), OutputTransform.IDENTITY, 4)) {
      assertArrayEquals(new float[] {0.5f, -1.0f}, model.forward(new float[4], 1));
    }
  }

  @Test
  void emptyBatchGivesEmptyResults() {
    try (TorchScriptModel model = load(OutputTransform.IDENTITY)) {
      assertEquals(0, model.forward(new float[0], 0).length);
      assertEquals(0, model.gradient(new float[0], 0, new int[0], null).length);
    }
  }

  @Test
  void corruptModelFailsClearly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("corrupt.pt");
    Files.writeString(file, "this is not a TorchScript archive");
    IllegalArgumentException fromPath = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(file, Device.cpu(), OutputTransform.IDENTITY, 4));
    assertStartsWith("Cannot load model corrupt.pt: ", fromPath.getMessage());

    byte[] bytes = Files.readAllBytes(file);
    IllegalArgumentException fromBytes = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load("upload.pt", bytes, Device.cpu(), OutputTransform.IDENTITY, 4));
    assertStartsWith("Cannot load model upload.pt: ", fromBytes.getMessage());
  }

  @Test
  void wrongDeclaredWidthFailsAtLoad() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(path(LINEAR), Device.cpu(), OutputTransform.IDENTITY, 5));
    assertEquals("Cannot load model linear.pt: it does not run on a float32 row of width 5: "
        + "mat1 and mat2 shapes cannot be multiplied (1x5 and 4x2)", e.getMessage());
  }

  @Test
  void missingFileFailsClearly(@TempDir Path dir) {
    Path file = dir.resolve("missing.pt");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TorchScriptModel.load(file, Device.cpu(), OutputTransform.IDENTITY, 4));
    assertEquals("Cannot load model missing.pt: no file at " + file, e.getMessage());
  }

  @Test
  void badCallsFailClearly() {
    try (TorchScriptModel model = load(OutputTransform.IDENTITY)) {
      IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
          () -> model.forward(new float[5], 1));
      assertEquals("Cannot run model linear.pt: expected input width 4, got 5 values for 1 rows",
          width.getMessage());

      IllegalArgumentException target = assertThrows(IllegalArgumentException.class,
          () -> model.gradient(new float[8], 2, new int[] {0, 2}, null));
      assertEquals("Cannot run model linear.pt: target 2 of row 1 is outside [0, 2)",
          target.getMessage());

      IllegalArgumentException targets = assertThrows(IllegalArgumentException.class,
          () -> model.gradient(new float[8], 2, new int[] {0}, null));
      assertEquals("Cannot run model linear.pt: expected a target for each of 2 rows, got 1",
          targets.getMessage());
    }
  }

  @Test
  void closedModelFailsClearly() {
    TorchScriptModel model = load(OutputTransform.IDENTITY);
    model.close();
    model.close();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> model.forward(new float[4], 1));
    assertEquals("Cannot run model linear.pt: it is closed", e.getMessage());
  }

  private static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  private static void assertStartsWith(String prefix, String actual) {
    if (!actual.startsWith(prefix)) {
      throw new AssertionError("expected a message starting with <" + prefix + "> but was <"
          + actual + ">");
    }
  }
}
