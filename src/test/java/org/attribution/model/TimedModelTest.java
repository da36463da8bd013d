package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Test;

class TimedModelTest {

  @Test
  void callsPassThroughAndEachReportsItsTime() {
    ModelFunction linear = AnalyticModels.linear(new double[][] {{1, 2}, {3, -1}}, new double[] {0.5, 0});
    List<Long> times = new ArrayList<>();
    List<Integer> rowsCalled = new ArrayList<>();
    TimedModel timed = new TimedModel(linear, (rows, nanos) -> {
      rowsCalled.add(rows);
      times.add(nanos);
    });
    float[] inputs = {1, 2, 3, 4};
    assertEquals(2, timed.inputWidth());
    assertEquals(2, timed.outputWidth());
    assertArrayEquals(linear.forward(inputs, 2), timed.forward(inputs, 2));
    timed.forward(inputs, 1);
    assertArrayEquals(linear.forward(new float[] {1, 2}, 1), timed.forwardHead(inputs, 1));
    float[] outputs = new float[2];
    assertArrayEquals(linear.gradient(inputs, 2, new int[] {0, 1}, null),
        timed.gradient(inputs, 2, new int[] {0, 1}, outputs));
    assertArrayEquals(new float[] {5.5f, 5}, outputs);
    // From (0, 0) and (-1, 3) to (1, 2): steps (1, 2) and (2, -1), gradients (1, 2) and (3, -1).
    PathPoints paths = new PathPoints(new double[] {1, 2}, new double[] {0, 0, -1, 3}, new int[] {0, 0},
        new int[] {0, 1}, new double[] {0.5, 0.25}, new int[] {0, 1}, 2);
    assertArrayEquals(new double[] {1, 4, 6, 1}, timed.pathGradients(paths, new int[] {0, 1}, 2));
    assertEquals(List.of(2, 1, 1, 2, 2), rowsCalled);
    assertEquals(5, times.size());
    assertTrue(times.stream().allMatch(t -> t >= 0), times::toString);
  }

  @Test
  void aFailedCallIsTimedToo() {
    List<Long> times = new ArrayList<>();
    ModelFunction failing = new ModelFunction() {
      @Override
      public int inputWidth() {
        return 1;
      }

      @Override
      public int outputWidth() {
        return 1;
      }

      @Override
      public float[] forward(float[] inputs, int rows) {
        throw new IllegalStateException("engine error");
      }

      @Override
      public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
        throw new IllegalStateException("engine error");
      }
    };
    TimedModel timed = new TimedModel(failing, (rows, nanos) -> times.add(nanos));
    assertThrows(IllegalStateException.class, () -> timed.forward(new float[1], 1));
    assertThrows(IllegalStateException.class, () -> timed.gradient(new float[1], 1, new int[1], null));
    assertEquals(2, times.size());
  }
}
