package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.io.IOException;
import java.util.List;
import org.attribution.method.GradCam;
import org.junit.jupiter.api.Test;

/**
 * Grad-CAM through the TorchScript adapter's two exported methods, on the tiny fixed CNN of
 * {@link ImageModelTest.TinyCnn}: ∂y_c/∂A_k[i,j] = V[c,k,i,j], so α_k = mean_{i,j} V[c,k,i,j] and the
 * map is relu(Σ_k α_k A_k[i,j]), computed here by hand.
 */
class GradCamTest {

  static float[] image() {
    float[] image = new float[16];
    for (int p = 0; p < 16; p++) {
      image[p] = (p % 5) - 1.5f;
    }
    return image;
  }

  @Test
  void theTinyCnnsMapIsTheHandComputedOne() throws IOException {
    float[] image = image();
    try (TorchScriptModel model = ImageModelTest.load(ImageModelTest.TINY_CNN, OutputTransform.IDENTITY,
        List.of(1, 4, 4))) {
      ActivationModel activations = model.activationModel();
      assertEquals(List.of(2, 4, 4), activations.activationShape());
      float[] twoRows = new float[32];
      System.arraycopy(image, 0, twoRows, 0, 16);
      System.arraycopy(image, 0, twoRows, 16, 16);
      float[] maps = GradCam.maps(activations, twoRows, 2, new int[] {0, 1}, null);
      for (int c = 0; c < 2; c++) {
        double[] alpha = new double[2];
        for (int k = 0; k < 2; k++) {
          for (int cell = 0; cell < 16; cell++) {
            alpha[k] += ImageModelTest.TinyCnn.v(c, k, cell / 4, cell % 4) / 16;
          }
        }
        for (int cell = 0; cell < 16; cell++) {
          double expected = Math.max(0, alpha[0] * ImageModelTest.TinyCnn.activation(0, image[cell])
              + alpha[1] * ImageModelTest.TinyCnn.activation(1, image[cell]));
          assertEquals(expected, maps[c * 16 + cell], 1e-5, "class " + c + " cell " + cell);
        }
      }
      // the gradient itself: V, whatever the activations
      float[] gradient = activations.activationGradient(activations.activations(image, 1), 1, new int[] {1}, null);
      for (int k = 0; k < 2; k++) {
        for (int cell = 0; cell < 16; cell++) {
          assertEquals(ImageModelTest.TinyCnn.v(1, k, cell / 4, cell % 4), gradient[k * 16 + cell], 1e-6);
        }
      }
    }
  }

  @Test
  void theDigitsCnnExportsTheContract() throws IOException {
    try (TorchScriptModel model = ImageModelTest.load(ImageModelTest.DIGITS_MODEL, OutputTransform.SOFTMAX,
        List.of(1, 8, 8))) {
      assertEquals(List.of(16, 8, 8), model.activationModel().activationShape());
    }
  }

  @Test
  void aModelWithoutTheTwoMethodsGetsAClearMessage() {
    try (TorchScriptModel model = TorchScriptModel.load(ModelFixtures.path(ModelFixtures.LINEAR), Device.cpu(),
        OutputTransform.IDENTITY, 4)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, model::activationModel);
      assertTrue(e.getMessage().contains("exporting activations(x)"), e.getMessage());
    }
  }
}
