package org.attribution.model;

import static org.attribution.model.ModelFixtures.MLP;
import static org.attribution.model.ModelFixtures.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.attribution.testing.AnalyticModels;
import org.attribution.testing.OtherGradient;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Test;

/**
 * The gradient check passes models whose gradients are right, smooth or with ReLU kinks, analytic
 * or real TorchScript models at the rows their references use, and fails gradients that are off by
 * a factor on part of the input or that belong to another row of the call.
 */
class GradientCheckTest {

  static final double[][] W = {{0.8, -1.2, 0.3, 0.5}, {-0.4, 0.9, 1.1, -0.7}, {1.3, 0.2, -0.6, 0.4}};
  static final double[] A = {0.1, -0.2, 0.3};
  static final double[][] V = {{1.0, -0.5, 0.8}, {-1.1, 0.7, 0.2}};
  static final double[] D = {0.05, -0.1};

  static final float[] ROWS = {0.5f, -1.0f, 2.0f, 0.3f, -0.7f, 0.2f, 1.5f, -1.2f, 1.1f, 0.9f, -0.4f, 0.0f};

  @Test
  void rightGradientsPass() {
    assertNull(GradientCheck.problem(AnalyticModels.tanhNetwork(W, A, V, D), ROWS, 3));
    assertNull(GradientCheck.problem(AnalyticModels.linear(W, A), ROWS, 3));
    // Kinks at x_0 = 0, x_1 = 0 and where the inner term is 0: none within a step of these rows.
    assertNull(GradientCheck.problem(AnalyticModels.captumReluExample(), new float[] {3, 1, 2, 0.5f, -1, 2}, 3));
  }

  @Test
  void columnsOnScalesFarApartPass() {
    // An income in dollars beside one-hot columns: a step sized to the row would swamp the latter.
    double[][] w = {{2e-5, 0.9, 1.1, -0.7}, {-1e-5, 1.3, -0.6, 0.4}, {3e-5, 0.2, 0.5, 1.2}};
    float[] rows = {52_000, 0, 1, 0.3f, 87_500, 1, 0, -1.2f};
    assertNull(GradientCheck.problem(AnalyticModels.tanhNetwork(w, A, V, D), rows, 2));
  }

  @Test
  void wideInputsAreCheckedInSmallCalls() {
    int width = 300_000;
    double[][] w = new double[3][width];
    for (int i = 0; i < width; i++) {
      w[0][i] = Math.sin(i);
      w[1][i] = Math.cos(i);
      w[2][i] = 1.0 / (1 + i % 7);
    }
    RecordingModel model = new RecordingModel(AnalyticModels.linear(w, A));
    float[] rows = new float[4 * width];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = (i % 11) / 10f;
    }
    assertNull(GradientCheck.problem(model, rows, 4));
    assertEquals(List.of(2), model.gradientRows());
    assertEquals(List.of(12), model.forwardRows());
    assertTrue(12L * width <= GradientCheck.MAX_VALUES);
  }

  @Test
  void aModelFlatAtItsRowsPasses() {
    // The tanh saturates: gradients and differences are both too small to measure.
    double[][] steep = {{400, 400, 400, 400}, {-400, 300, 200, 100}, {500, -100, 300, 300}};
    assertNull(GradientCheck.problem(AnalyticModels.tanhNetwork(steep, A, V, D), new float[] {1, 1, 1, 1}, 1));
  }

  @Test
  void aGradientOffOnPartOfTheInputFails() {
    ModelFunction right = AnalyticModels.tanhNetwork(W, A, V, D);
    String problem = GradientCheck.problem(new OtherGradient(right, (inputs, rows, targets, outputs) -> {
      float[] gradients = right.gradient(inputs, rows, targets, outputs);
      int width = right.inputWidth();
      for (int r = 0; r < rows; r++) {
        gradients[r * width] *= 0.4f;
        gradients[r * width + 1] *= 0.4f;
      }
      return gradients;
    }), ROWS, 3);
    assertNotNull(problem);
    assertTrue(problem.contains("disagree with its outputs") && problem.contains("ONEDNN_MAX_CPU_ISA=AVX2"), problem);
  }

  @Test
  void anotherRowsGradientFails() {
    ModelFunction right = AnalyticModels.tanhNetwork(W, A, V, D);
    assertNotNull(GradientCheck.problem(new OtherGradient(right, (inputs, rows, targets, outputs) -> {
      float[] gradients = right.gradient(inputs, rows, targets, outputs);
      int width = right.inputWidth();
      float[] first = Arrays.copyOf(gradients, width);
      System.arraycopy(gradients, width, gradients, 0, (rows - 1) * width);
      System.arraycopy(first, 0, gradients, (rows - 1) * width, width);
      return gradients;
    }), ROWS, 3));
  }

  @Test
  void realModelsPassAtTheirReferenceRows() throws IOException {
    ObjectMapper json = new ObjectMapper();
    JsonNode mlp = json.readTree(path(ModelFixtures.MLP_REFERENCE).toFile()).get("inputs");
    try (TorchScriptModel model = TorchScriptModel.load(path(MLP), Device.cpu(), OutputTransform.SOFTMAX, 6)) {
      assertNull(GradientCheck.problem(model, flatten(mlp), mlp.size()));
    }
    JsonNode digits = json.readTree(Path.of("src/test/resources/digits/reference.json").toFile()).get("rows");
    float[] images = new float[digits.size() * 64];
    for (int r = 0; r < digits.size(); r++) {
      System.arraycopy(flatten(List.of(digits.get(r).get("input"))), 0, images, r * 64, 64);
    }
    try (TorchScriptModel model = ImageModelTest.load(ImageModelTest.DIGITS_MODEL, OutputTransform.SOFTMAX,
        List.of(1, 8, 8))) {
      assertNull(GradientCheck.problem(model, images, digits.size()));
    }
  }

  private static float[] flatten(Iterable<JsonNode> rows) {
    List<Float> values = new ArrayList<>();
    rows.forEach(row -> row.forEach(v -> values.add((float) v.asDouble())));
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
