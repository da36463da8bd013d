package org.attribution.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.attribution.config.GradientShapConfig;
import org.attribution.method.Attributions;
import org.junit.jupiter.api.Test;

/**
 * The method CPU benchmark explains for real: its free model is differentiable as it claims, and
 * each method it times gives attributions that add up as the method promises.
 */
class MethodCpuBenchmarkTest {

  @Test
  void theFreeModelsGradientIsTheDerivativeOfItsOutputs() {
    MethodCpuBenchmark.FreeModel model = new MethodCpuBenchmark.FreeModel(5);
    float[] x = {0.5f, -2f, 3f, 7f, 1f};
    assertArrayEquals(new float[] {-0.5f, 3f}, model.forward(x, 1));
    float[] outputs = new float[1];
    assertArrayEquals(new float[] {1, 0.5f, 0, 0, 0}, model.gradient(x, 1, new int[] {0}, outputs));
    assertEquals(-0.5f, outputs[0]);
    assertArrayEquals(new float[] {0, 0, 1, 0, 0}, model.gradient(x, 1, new int[] {1}, outputs));
    assertEquals(3f, outputs[0]);
  }

  /**
   * The coalition methods are exactly efficient; gradient SHAP on a linear model is f(x) minus
   * the mean over the 200 background rows it drew, within 0.4 of the base value (the free model's
   * spread over Gaussian rows is about 1.1, so 0.4 is about five standard errors).
   */
  @Test
  void eachTimedMethodExplainsTheSampleJobsPlayers() {
    for (String id : MethodCpuBenchmark.METHODS) {
      MethodCpuBenchmark.Built built = MethodCpuBenchmark.build(id);
      int width = built.groups().columns();
      int players = built.groups().players();
      int rows = 3;
      float[] x = MethodCpuBenchmark.gaussian(new SplittableRandom(3), rows * width);
      Attributions a = built.method().attribute(x, rows, new int[rows], new long[] {1, 2, 3});
      assertTrue(players > 1, id);
      assertEquals(rows * players, a.values().length, id);
      for (int r = 0; r < rows; r++) {
        double sum = Arrays.stream(a.values(), r * players, (r + 1) * players).sum();
        double gap = a.outputs()[r] - a.references()[r];
        double tolerance = id.equals(GradientShapConfig.ID) ? 0.4 : 1e-9 * Math.max(1, Math.abs(gap));
        assertEquals(gap, sum, tolerance, id + " row " + r);
      }
    }
  }

  @Test
  void runsFromTheCommandLine() {
    MethodCpuBenchmark.main(new String[] {"--method-cpu", "--rows", "3", "--repeats", "1"});
  }
}
