package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.attribution.method.Attributions;
import org.attribution.method.Background;
import org.attribution.method.FeatureGroups;
import org.attribution.method.KernelShap;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Test;

/** Model calls that run out of memory are split in halves and retried, down to one row. */
class SplittingModelTest {

  static final double[][] W = {{1, -2, 0.5}, {0.25, 3, -1}};

  /** The analytic model, failing like libtorch on a GPU for every call of more than {@code maxRows}. */
  static ModelFunction failingAbove(int maxRows, List<Integer> calls) {
    ModelFunction model = AnalyticModels.tanhNetwork(W, new double[] {0.1, -0.2}, new double[][] {{1, 2}, {-1, 0.5}},
        new double[] {0, 0.3});
    return new ModelFunction() {
      @Override
      public int inputWidth() {
        return model.inputWidth();
      }

      @Override
      public int outputWidth() {
        return model.outputWidth();
      }

      @Override
      public float[] forward(float[] inputs, int rows) {
        check(rows);
        return model.forward(inputs, rows);
      }

      @Override
      public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
        check(rows);
        return model.gradient(inputs, rows, targets, targetOutputs);
      }

      private void check(int rows) {
        calls.add(rows);
        if (rows > maxRows) {
          throw new IllegalStateException("engine error", new RuntimeException(
              "CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity)"));
        }
      }
    };
  }

  static float[] rows(int rows, int width) {
    SplittableRandom random = new SplittableRandom(3);
    float[] values = new float[rows * width];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble(-2, 2);
    }
    return values;
  }

  @Test
  void aCallThatRunsOutOfMemoryIsSplitUntilItFits() {
    List<Integer> calls = new ArrayList<>();
    AtomicLong splits = new AtomicLong();
    SplittingModel model = new SplittingModel(failingAbove(3, calls), splits::addAndGet);
    float[] inputs = rows(11, 3);
    float[] expected = failingAbove(100, new ArrayList<>()).forward(inputs, 11);
    assertArrayEquals(expected, model.forward(inputs, 11));
    // 11 -> 5 + 6; 5 -> 2 + 3; 6 -> 3 + 3: three splits, four calls that fit.
    assertEquals(List.of(11, 5, 2, 3, 6, 3, 3), calls);
    assertEquals(3, splits.get());
    // The head of a longer buffer splits the same way, its rows alone.
    calls.clear();
    assertArrayEquals(expected, model.forwardHead(Arrays.copyOf(inputs, 14 * 3), 11));
    assertEquals(List.of(11, 5, 2, 3, 6, 3, 3), calls);
    assertEquals(6, splits.get());
  }

  @Test
  void gradientsAndTargetOutputsAreSplitAndReassembledInRowOrder() {
    AtomicLong splits = new AtomicLong();
    SplittingModel model = new SplittingModel(failingAbove(2, new ArrayList<>()), splits::addAndGet);
    float[] inputs = rows(7, 3);
    int[] targets = {0, 1, 1, 0, 1, 0, 0};
    float[] expectedOutputs = new float[7];
    float[] expected = failingAbove(100, new ArrayList<>()).gradient(inputs, 7, targets, expectedOutputs);
    float[] outputs = new float[7];
    assertArrayEquals(expected, model.gradient(inputs, 7, targets, outputs));
    assertArrayEquals(expectedOutputs, outputs);
    assertArrayEquals(expected, model.gradient(inputs, 7, targets, null));
    assertTrue(splits.get() > 0);
  }

  @Test
  void pathGradientsAreSplitAndReassembledInPointOrder() {
    List<Integer> calls = new ArrayList<>();
    AtomicLong splits = new AtomicLong();
    SplittingModel model = new SplittingModel(failingAbove(2, calls), splits::addAndGet);
    SplittableRandom random = new SplittableRandom(5);
    double[] rows = new double[4 * 3];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = random.nextDouble(-2, 2);
    }
    PathPoints paths = new PathPoints(rows, Arrays.copyOf(rows, 6), new int[] {3, 2, 3, 0, 1}, new int[] {0, 1, 1, 0, 0},
        new double[] {0.1, 0.5, 0.9, 0.3, 0.7}, new int[] {0, 1, 1, 0, 1}, 5);
    int[] playerOfColumn = {1, 0, 1};
    double[] expected = failingAbove(100, new ArrayList<>()).pathGradients(paths, playerOfColumn, 2);
    assertArrayEquals(expected, model.pathGradients(paths, playerOfColumn, 2));
    // 5 -> 2 + 3; 3 -> 1 + 2.
    assertEquals(List.of(5, 2, 3, 1, 2), calls);
    assertEquals(2, splits.get());
  }

  @Test
  void otherFailuresAndOneRowThatDoesNotFitAreNotRetried() {
    List<Integer> calls = new ArrayList<>();
    SplittingModel tooSmall = new SplittingModel(failingAbove(0, calls), n -> { });
    IllegalStateException oneRow = assertThrows(IllegalStateException.class, () -> tooSmall.forward(rows(1, 3), 1));
    assertEquals("engine error", oneRow.getMessage());
    assertEquals(List.of(1), calls);
    IllegalStateException other = new IllegalStateException("mat1 and mat2 shapes cannot be multiplied");
    SplittingModel broken = new SplittingModel(new ModelFunction() {
      @Override
      public int inputWidth() {
        return 3;
      }

      @Override
      public int outputWidth() {
        return 2;
      }

      @Override
      public float[] forward(float[] inputs, int rows) {
        throw other;
      }

      @Override
      public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
        throw other;
      }
    }, n -> { });
    assertSame(other, assertThrows(IllegalStateException.class, () -> broken.forward(rows(8, 3), 8)));
    assertSame(other, assertThrows(IllegalStateException.class, () -> broken.gradient(rows(8, 3), 8, new int[8], null)));
  }

  @Test
  void outOfMemoryIsRecognisedFromLibtorchAndTheJvm() {
    assertTrue(SplittingModel.isOutOfMemory(new RuntimeException("DefaultCPUAllocator: can't allocate memory")));
    assertTrue(SplittingModel.isOutOfMemory(new RuntimeException("x", new RuntimeException("CUDA out of memory."))));
    assertTrue(SplittingModel.isOutOfMemory(new OutOfMemoryError("Java heap space")));
    assertTrue(!SplittingModel.isOutOfMemory(new RuntimeException("shape mismatch")));
  }

  /** Kernel SHAP never mixes rows in a call, so splitting its calls changes no value. */
  @Test
  void kernelShapValuesDoNotChangeWhenCallsSplit() {
    Background background = Background.uniform(rows(4, 3), 4, 3);
    float[] inputs = rows(3, 3);
    int[] targets = {0, 1, 0};
    long[] seeds = {1, 2, 3};
    Attributions whole = new KernelShap(failingAbove(1000, new ArrayList<>()), background, FeatureGroups.identity(3),
        6, 1000).attribute(inputs, 3, targets, seeds);
    AtomicLong splits = new AtomicLong();
    Attributions split = new KernelShap(new SplittingModel(failingAbove(5, new ArrayList<>()), splits::addAndGet),
        background, FeatureGroups.identity(3), 6, 1000).attribute(inputs, 3, targets, seeds);
    assertTrue(splits.get() > 0, "calls were split");
    assertArrayEquals(whole.values(), split.values());
    assertArrayEquals(whole.outputs(), split.outputs());
  }
}
