package org.attribution.model;

import static org.attribution.model.ModelFixtures.MLP;
import static org.attribution.model.ModelFixtures.MLP_REFERENCE;
import static org.attribution.model.ModelFixtures.path;
import static org.attribution.testing.Tolerances.FLOAT32_ATOL;
import static org.attribution.testing.Tolerances.FLOAT32_RTOL;
import static org.attribution.testing.Tolerances.assertClose;
import static org.attribution.testing.Tolerances.toDoubles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The adapter on an MLP with BatchNorm and Dropout against PyTorch's own answers: it must run
 * in eval mode for outputs and gradients alike, and stay so under concurrent calls.
 */
class TorchScriptModelReferenceTest {

  private static JsonNode reference;
  private static float[] inputs;
  private static int rows;
  private static TorchScriptModel logits;
  private static TorchScriptModel probabilities;

  @BeforeAll
  static void load() throws IOException {
    reference = new ObjectMapper().readTree(path(MLP_REFERENCE).toFile());
    rows = reference.get("inputs").size();
    inputs = toFloats(reference.get("inputs"));
    logits = TorchScriptModel.load(path(MLP), Device.cpu(), OutputTransform.IDENTITY, 6);
    probabilities = TorchScriptModel.load(path(MLP), Device.cpu(), OutputTransform.SOFTMAX, 6);
  }

  @AfterAll
  static void close() {
    logits.close();
    probabilities.close();
  }

  @Test
  void widthsMatchTheModel() {
    assertEquals(reference.get("inputWidth").asInt(), logits.inputWidth());
    assertEquals(reference.get("outputWidth").asInt(), logits.outputWidth());
  }

  @Test
  void outputsMatchPyTorchInEvalMode() {
    assertClose(flat(reference.get("logits")), logits.forward(inputs, rows),
        FLOAT32_ATOL, FLOAT32_RTOL, "logits");
    assertClose(flat(reference.get("softmax")), probabilities.forward(inputs, rows),
        FLOAT32_ATOL, FLOAT32_RTOL, "softmax");
  }

  @Test
  void gradientsMatchPyTorchAutograd() {
    assertClose(flat(reference.get("gradLogit0")),
        logits.gradient(inputs, rows, new int[rows], null),
        FLOAT32_ATOL, FLOAT32_RTOL, "gradient of logit 0");
    int[] class2 = new int[rows];
    Arrays.fill(class2, 2);
    assertClose(flat(reference.get("gradSoftmaxClass2")),
        probabilities.gradient(inputs, rows, class2, null),
        FLOAT32_ATOL, FLOAT32_RTOL, "gradient of softmax class 2");
  }

  /** Any train-mode step (BatchNorm batch statistics, Dropout) would break this equality. */
  @Test
  void gradientTargetOutputsEqualForwardOutputsExactly() {
    int[] targets = {0, 1, 2, 1, 0};
    for (TorchScriptModel model : List.of(logits, probabilities)) {
      float[] forward = model.forward(inputs, rows);
      float[] targetOutputs = new float[rows];
      model.gradient(inputs, rows, targets, targetOutputs);
      for (int r = 0; r < rows; r++) {
        assertEquals(forward[r * 3 + targets[r]], targetOutputs[r],
            model + " row " + r + " target " + targets[r]);
      }
    }
  }

  @Test
  void repeatedCallsGiveIdenticalResults() {
    int[] targets = {2, 2, 1, 0, 1};
    float[] firstOutputs = new float[rows];
    float[] secondOutputs = new float[rows];
    float[] first = probabilities.gradient(inputs, rows, targets, firstOutputs);
    float[] second = probabilities.gradient(inputs, rows, targets, secondOutputs);
    assertArrayEquals(first, second);
    assertArrayEquals(firstOutputs, secondOutputs);
    assertArrayEquals(probabilities.forward(inputs, rows), probabilities.forward(inputs, rows));
  }

  /** Spark runs several tasks in one executor JVM against one shared model instance. */
  @Test
  void concurrentGradientsMatchSingleThreaded() throws Exception {
    int threads = 4;
    int batchRows = 64;
    float[][] batches = new float[threads][];
    int[][] targets = new int[threads][];
    float[][] expected = new float[threads][];
    float[][] expectedOutputs = new float[threads][];
    Random random = new Random(7);
    for (int t = 0; t < threads; t++) {
      batches[t] = new float[batchRows * 6];
      targets[t] = new int[batchRows];
      for (int i = 0; i < batches[t].length; i++) {
        batches[t][i] = (float) (random.nextGaussian() * 2);
      }
      for (int r = 0; r < batchRows; r++) {
        targets[t][r] = random.nextInt(3);
      }
      expectedOutputs[t] = new float[batchRows];
      expected[t] = probabilities.gradient(batches[t], batchRows, targets[t], expectedOutputs[t]);
    }

    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int task = t;
        futures.add(pool.submit(() -> {
          for (int repeat = 0; repeat < 25; repeat++) {
            float[] outputs = new float[batchRows];
            float[] gradient =
                probabilities.gradient(batches[task], batchRows, targets[task], outputs);
            assertArrayEquals(expected[task], gradient, "thread " + task);
            assertArrayEquals(expectedOutputs[task], outputs, "thread " + task);
          }
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  private static float[] toFloats(JsonNode matrix) {
    double[] values = flat(matrix);
    float[] floats = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      floats[i] = (float) values[i];
    }
    return floats;
  }

  private static double[] flat(JsonNode matrix) {
    List<Double> values = new ArrayList<>();
    matrix.forEach(row -> row.forEach(value -> values.add(value.asDouble())));
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
