package org.attribution.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.attribution.config.GradientShapConfig;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.config.KernelShapConfig;
import org.attribution.config.SamplingShapleyConfig;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Attributions;
import org.attribution.method.Background;
import org.attribution.method.FeatureGroups;
import org.attribution.model.ModelFunction;

/**
 * {@code scripts/bench.sh --method-cpu}: what each SHAP method costs per row on one thread around
 * its model calls, with a model that costs next to nothing. The job's explain stage pays this on
 * top of the model's own time, so it is the part of the gap to the compute bound that the method's
 * Java decides.
 *
 * <p>The shape is the benchmark's SHAP job ({@code conf/lending-club-shap.yaml}): its encoded
 * columns and players, a background of as many rows as its k-means makes, each method at its
 * defaults built as the benchmark's replay builds it, rows in batches of 3 with 1,024-row model
 * calls. Inputs and background are fixed Gaussian draws. The model returns {@code x_0 + x_1 / 2}
 * and {@code x_2} (its gradient a constant), so its calls cost a pass over their inputs at most.
 * Each method runs {@code --repeats} times over {@code --rows} rows in one JVM; the first repeat
 * warms the JIT and every repeat is printed, the fastest last. The machine's load moves these
 * numbers as it moves every timing: compare old and new code in alternated runs.
 */
public final class MethodCpuBenchmark {

  static final int BATCH = 3;
  static final int CALL_ROWS = 1024;
  static final List<String> METHODS =
      List.of(KernelShapConfig.ID, SamplingShapleyConfig.ID, GradientShapConfig.ID);

  private MethodCpuBenchmark() {}

  public static void main(String[] args) {
    int rows = 300;
    int repeats = 6;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--method-cpu" -> { }
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "Unknown option " + args[i] + " (method CPU options: --rows N, --repeats N)");
      }
    }
    System.out.printf(Locale.ROOT, "%n### Method CPU per row, free model (%d rows, %d repeats)%n%n", rows, repeats);
    System.out.println("| method | players | background rows | ms per row, each repeat | fastest |");
    System.out.println("|---|--:|--:|---|--:|");
    for (String id : METHODS) {
      Built built = build(id);
      int width = built.groups().columns();
      AttributionMethod method = built.method();
      float[] explained = gaussian(new SplittableRandom(2), rows * width);
      double[] times = new double[repeats];
      for (int repeat = 0; repeat < repeats; repeat++) {
        times[repeat] = msPerRow(method, explained, rows, width);
      }
      StringBuilder each = new StringBuilder();
      for (double t : times) {
        each.append(each.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.2f", t));
      }
      System.out.printf(Locale.ROOT, "| %s | %d | %d | %s | **%.2f** |%n", id, built.groups().players(),
          built.backgroundRows(), each, Arrays.stream(times).min().orElseThrow());
    }
  }

  /** A method on the free model, with the groups and the background size it was built for. */
  record Built(AttributionMethod method, FeatureGroups groups, int backgroundRows) {}

  /** Method {@code id} at its defaults on the SHAP job's players and a background of its k-means size. */
  static Built build(String id) {
    JobConfig config = JobConfigLoader.load(Benchmark.SHAP_JOB, Map.of("method", "{name: " + id + "}"));
    FeatureGroups groups = Benchmark.encoder(config).groups();
    int width = groups.columns();
    int count = config.background().k();
    Background background = Background.uniform(gaussian(new SplittableRandom(1), count * width), count, width);
    return new Built(Benchmark.replayMethod(config.method(), new FreeModel(width), background, groups, CALL_ROWS),
        groups, count);
  }

  /** Milliseconds per row to explain {@code rows} rows in batches, each row seeded by its index. */
  static double msPerRow(AttributionMethod method, float[] explained, int rows, int width) {
    long start = System.nanoTime();
    double sink = 0;
    for (int first = 0; first < rows; first += BATCH) {
      int n = Math.min(BATCH, rows - first);
      long[] seeds = new long[n];
      for (int i = 0; i < n; i++) {
        seeds[i] = first + i;
      }
      Attributions a = method.attribute(
          Arrays.copyOfRange(explained, first * width, (first + n) * width), n, new int[n], seeds);
      sink += a.values()[0];
    }
    if (!Double.isFinite(sink)) {
      throw new IllegalStateException("The free model gave attributions that are not finite");
    }
    return (System.nanoTime() - start) / 1e6 / rows;
  }

  static float[] gaussian(SplittableRandom random, int n) {
    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  /** Two outputs, {@code x_0 + x_1 / 2} and {@code x_2}: a pass over the call at most. */
  static final class FreeModel implements ModelFunction {

    private final int width;

    FreeModel(int width) {
      this.width = width;
    }

    @Override
    public int inputWidth() {
      return width;
    }

    @Override
    public int outputWidth() {
      return 2;
    }

    @Override
    public float[] forward(float[] inputs, int rows) {
      float[] out = new float[rows * 2];
      for (int i = 0; i < rows; i++) {
        out[2 * i] = first(inputs, i);
        out[2 * i + 1] = inputs[i * width + 2];
      }
      return out;
    }

    /** Reads the rows in place, as {@code TorchScriptModel} does: a copy would be the model's cost, not the method's. */
    @Override
    public float[] forwardHead(float[] buffer, int rows) {
      return forward(buffer, rows);
    }

    @Override
    public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
      float[] gradients = new float[rows * width];
      for (int i = 0; i < rows; i++) {
        if (targets[i] == 0) {
          gradients[i * width] = 1;
          gradients[i * width + 1] = 0.5f;
        } else {
          gradients[i * width + 2] = 1;
        }
        if (targetOutputs != null) {
          targetOutputs[i] = targets[i] == 0 ? first(inputs, i) : inputs[i * width + 2];
        }
      }
      return gradients;
    }

    private float first(float[] inputs, int row) {
      return inputs[row * width] + 0.5f * inputs[row * width + 1];
    }
  }
}
