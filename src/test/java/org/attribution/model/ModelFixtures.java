package org.attribution.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The TorchScript fixtures written by {@code src/test/python/make_model_fixtures.py}, and the
 * weights of its linear model repeated here so tests can compute the expected answers.
 */
public final class ModelFixtures {

  /** {@code linear.pt}: y = W x + b, 4 inputs, 2 outputs, output shape [N, 2]. */
  public static final String LINEAR = "linear.pt";

  /** {@code linear_single_output.pt}: output 0 of {@link #LINEAR}, shape [N]. */
  static final String LINEAR_SINGLE_OUTPUT = "linear_single_output.pt";

  /** {@code linear_float64.pt}: {@link #LINEAR} in float64, weights, input and output. */
  public static final String LINEAR_FLOAT64 = "linear_float64.pt";

  /**
   * {@code linear_float64_frozen.pt}: {@link #LINEAR_FLOAT64} frozen, so its weights are
   * constants and it has no parameters.
   */
  static final String LINEAR_FLOAT64_FROZEN = "linear_float64_frozen.pt";

  /** {@code linear_float64_output.pt}: {@link #LINEAR} with its float32 outputs cast to float64. */
  static final String LINEAR_FLOAT64_OUTPUT = "linear_float64_output.pt";

  /** {@code linear_float16_output.pt}: {@link #LINEAR} with its outputs cast to float16. */
  static final String LINEAR_FLOAT16_OUTPUT = "linear_float16_output.pt";

  /** {@code linear_bfloat16_output.pt}: {@link #LINEAR} with its outputs cast to bfloat16. */
  static final String LINEAR_BFLOAT16_OUTPUT = "linear_bfloat16_output.pt";

  /** {@code mlp_bn_dropout.pt}: 6 -> 8 -> BatchNorm1d -> Tanh -> Dropout(0.5) -> 3, eval mode. */
  static final String MLP = "mlp_bn_dropout.pt";

  /** Inputs, outputs and input gradients of {@link #MLP} computed by PyTorch in Python. */
  static final String MLP_REFERENCE = "mlp_bn_dropout_reference.json";

  /** W of {@link #LINEAR}, as in the Python script. */
  public static final float[][] LINEAR_WEIGHT = {{1.0f, -2.0f, 0.5f, 3.0f}, {-1.5f, 0.25f, 2.0f, -0.75f}};

  /** b of {@link #LINEAR}, as in the Python script. */
  public static final float[] LINEAR_BIAS = {0.5f, -1.0f};

  private ModelFixtures() {}

  public static Path path(String fixture) {
    URL url = ModelFixtures.class.getResource("/models/" + fixture);
    if (url == null) {
      throw new IllegalStateException("Cannot find test fixture " + fixture);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("Cannot locate test fixture " + fixture, e);
    }
  }

  static byte[] bytes(String fixture) {
    try {
      return Files.readAllBytes(path(fixture));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Row-major copy of a matrix. */
  static float[] flatten(float[][] matrix) {
    int columns = matrix[0].length;
    float[] flat = new float[matrix.length * columns];
    for (int r = 0; r < matrix.length; r++) {
      System.arraycopy(matrix[r], 0, flat, r * columns, columns);
    }
    return flat;
  }
}
