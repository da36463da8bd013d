package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.attribution.job.CallCalibration.Timing;
import org.attribution.model.ModelFunction;
import org.attribution.testing.RecordingModel;
import org.junit.jupiter.api.Test;

/** Which call size each executor takes from its tasks' timings (the timings themselves are not tested). */
class CallCalibrationTest {

  @Test
  void eachExecutorTakesTheSizeWithTheLowestMeanTimePerRowOverItsTasks() {
    List<Timing> timings = List.of(
        new Timing("1", 1024, 3.0), new Timing("1", 2048, 2.0),
        new Timing("1", 1024, 3.0), new Timing("1", 2048, 4.2),
        new Timing("2", 512, 5.0), new Timing("2", 1024, 4.0), new Timing("2", 4096, 4.5));
    // Executor 1: 3.0 against a mean of 3.1 for 2,048 rows; executor 2: 1,024 rows.
    assertEquals(Map.of("1", 1024, "2", 1024), CallCalibration.choose(timings));
    Map<String, Map<Integer, Double>> means = CallCalibration.meanNanosPerRow(timings);
    assertEquals(Map.of("1", Map.of(1024, 3.0, 2048, 3.1), "2", Map.of(512, 5.0, 1024, 4.0, 4096, 4.5)), means);
    assertEquals(CallCalibration.choose(timings), CallCalibration.fastest(means));
  }

  @Test
  void aSizeWithinTheTieMarginOfTheFastestLosesToNoSmallerOne() {
    List<Timing> timings = List.of(
        new Timing("a", 512, 2.05), new Timing("a", 1024, 2.0), new Timing("a", 2048, 1.9));
    // 512 rows are within 3% of 1,024's time, but not of 2,048's.
    assertEquals(Map.of("a", 2048), CallCalibration.choose(timings));
    assertEquals(Map.of("a", 512), CallCalibration.choose(List.of(
        new Timing("a", 512, 1.95), new Timing("a", 1024, 1.9))));
  }

  @Test
  void candidatesStayWithinTheBudgetAndTheTasksWork() {
    assertArrayEquals(new int[] {256, 512, 1024, 2048, 4096}, CallCalibration.sizes(69_905, 1L << 40));
    assertArrayEquals(new int[] {256, 512, 1024, 2048}, CallCalibration.sizes(4_000, 1L << 40));
    assertArrayEquals(new int[] {256, 512}, CallCalibration.sizes(1_000, 1L << 40));
    assertArrayEquals(new int[] {100}, CallCalibration.sizes(100, 1L << 40));
    // 16 calls of 2,048 rows are 32,768 evaluations: a task of 40,000 fills them, not 16 of 4,096.
    assertArrayEquals(new int[] {256, 512, 1024, 2048}, CallCalibration.sizes(69_905, 40_000));
    assertArrayEquals(new int[] {256}, CallCalibration.sizes(69_905, 30));
  }

  @Test
  void timesEveryCandidateWithTheMethodsKindOfCall() {
    RecordingModel model = new RecordingModel(zeros());
    List<Timing> timings = CallCalibration.time(model, new CallCalibration.Request(true, 1_000, 1L << 40), "driver");
    assertEquals(List.of(256, 512), timings.stream().map(Timing::rows).toList());
    assertTrue(timings.stream().allMatch(t -> t.executor().equals("driver") && t.nanosPerRow() >= 0));
    // A warm-up call of each size, then three rounds of 4,096 rows per size: 16 calls of 256 rows and 8 of 512.
    assertEquals(2 + 3 * (16 + 8), model.gradientRows().size());
    assertEquals(List.of(), model.forwardRows());
  }

  /**
   * Each round starts one size later, so no size is always timed first or last, where a task may
   * have the core to itself while the others start or finish.
   */
  @Test
  void eachRoundStartsOneSizeLater() {
    RecordingModel model = new RecordingModel(zeros());
    CallCalibration.time(model, new CallCalibration.Request(false, 1_024, 1L << 40), "driver");
    List<Integer> order = new ArrayList<>();
    for (int rows : model.forwardRows()) {
      if (order.isEmpty() || order.get(order.size() - 1) != rows) {
        order.add(rows);
      }
    }
    assertEquals(List.of(256, 512, 1024, 256, 512, 1024, 512, 1024, 256, 1024, 256, 512), order);
  }

  @Test
  void aSizesTimeIsItsMedianRound() {
    assertEquals(2.0, CallCalibration.median(new double[] {9.0, 2.0, 1.0}));
    assertEquals(2.5, CallCalibration.median(new double[] {4.0, 1.0, 2.0, 3.0}));
  }

  @Test
  void theManifestReportsTheMostCommonChoice() {
    assertEquals(2048, CallCalibration.mostCommon(Map.of("1", 2048, "2", 2048, "3", 1024), 1024));
    assertEquals(1024, CallCalibration.mostCommon(Map.of("1", 2048, "2", 1024), 512));
    assertEquals(512, CallCalibration.mostCommon(Map.of(), 512));
  }

  /** A two-column model that returns zeros: only the calls' shapes matter here. */
  private static ModelFunction zeros() {
    return new ModelFunction() {
      @Override
      public int inputWidth() {
        return 2;
      }

      @Override
      public int outputWidth() {
        return 1;
      }

      @Override
      public float[] forward(float[] inputs, int rows) {
        return new float[rows];
      }

      @Override
      public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
        return new float[rows * 2];
      }
    };
  }
}
