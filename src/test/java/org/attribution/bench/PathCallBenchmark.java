package org.attribution.bench;

import ai.djl.Device;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.method.FeatureGroups;
import org.attribution.model.ModelFunction;
import org.attribution.model.OutputTransform;
import org.attribution.model.PathPoints;
import org.attribution.model.TorchScriptModel;
import org.attribution.testing.OtherGradient;

/**
 * {@code scripts/bench.sh --path-calls}: what Gradient SHAP's path call costs over a plain
 * gradient call of the same points, on the SHAP job's model and players, with no Spark. Three
 * calls are timed: the model's gradient on points already built; its path call (the engine's
 * way: on the CPU, points built in the call's own tensor); and the JVM default, which builds the
 * points in an array and sums from a copy of the gradients. The points are the explain stage's
 * shape: {@code --points} per call, 200 to a row, against as many start rows as the job's k-means
 * background has.
 *
 * <p>The three calls are interleaved and their order rotated every round, so that the machine's
 * drift touches each alike; each round runs {@link #CALLS} calls on every thread at once, first on
 * one thread, then on as many as the machine has cores (as the explain stage runs its tasks). The
 * middle round counts (31 rounds by default), with the fastest beside it. Compare two versions of
 * the code in alternated runs.
 */
public final class PathCallBenchmark {

  /** Calls per thread in a round. */
  static final int CALLS = 8;

  /** Points on one explained row's paths, as Gradient SHAP's default samples. */
  static final int POINTS_PER_ROW = 200;

  private PathCallBenchmark() {}

  public static void main(String[] args) throws InterruptedException, ExecutionException {
    int points = 4096;
    int rounds = 31;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--path-calls" -> { }
        case "--points" -> points = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException(
            "Unknown option " + args[i] + " (path call options: --points N, --rounds N)");
      }
    }
    JobConfig config = JobConfigLoader.load(Benchmark.SHAP_JOB, Map.of("method", "{name: gradient_shap}"));
    FeatureGroups groups = Benchmark.encoder(config).groups();
    int width = groups.columns();
    try (TorchScriptModel model = TorchScriptModel.load(Path.of(config.model().path()), Device.cpu(),
        OutputTransform.fromId(config.model().output()), width)) {
      PathPoints paths = paths(width, config.background().k(), points, config.target().classIndex());
      ModelFunction jvmDefault = new OtherGradient(model, model::gradient);
      float[] built = pointsOf(paths, width);
      int[] targets = Arrays.copyOf(paths.targets(), points);
      List<Runnable> calls = List.of(
          () -> model.gradient(built, paths.count(), targets, null),
          () -> model.pathGradients(paths, groups.playerOfColumn(), groups.players()),
          () -> jvmDefault.pathGradients(paths, groups.playerOfColumn(), groups.players()));
      System.out.printf(Locale.ROOT, "%n### Path calls against a plain gradient call (%,d points, %d players, "
          + "%d rounds of %d calls per thread)%n%n", points, groups.players(), rounds, CALLS);
      System.out.println("| threads | plain gradient ns per point: median (fastest) | path call | JVM default "
          + "| path call / plain | JVM default / plain |");
      System.out.println("|--:|--:|--:|--:|--:|--:|");
      int cores = Runtime.getRuntime().availableProcessors();
      for (int threads : cores > 1 ? new int[] {1, cores} : new int[] {1}) {
        double[][] nanos = time(calls, threads, rounds, points);
        double[] medians = Arrays.stream(nanos).mapToDouble(PathCallBenchmark::middle).toArray();
        System.out.printf(Locale.ROOT, "| %d | %s | %s | %s | %.3f | %.3f |%n", threads, cell(nanos[0]),
            cell(nanos[1]), cell(nanos[2]), medians[1] / medians[0], medians[2] / medians[0]);
      }
    }
  }

  /**
   * Wall nanoseconds per point of each call in each round: a warm-up round, then {@code rounds}
   * rounds in which call {@code (i + round) mod n} runs i-th.
   */
  static double[][] time(List<Runnable> calls, int threads, int rounds, int points)
      throws InterruptedException, ExecutionException {
    double[][] nanos = new double[calls.size()][rounds];
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      for (int round = -1; round < rounds; round++) {
        for (int i = 0; i < calls.size(); i++) {
          int c = (i + Math.max(round, 0)) % calls.size();
          Runnable call = calls.get(c);
          long start = System.nanoTime();
          Future<?>[] running = new Future<?>[threads];
          for (int t = 0; t < threads; t++) {
            running[t] = pool.submit(() -> {
              for (int k = 0; k < CALLS; k++) {
                call.run();
              }
            });
          }
          for (Future<?> f : running) {
            f.get();
          }
          if (round >= 0) {
            nanos[c][round] = (double) (System.nanoTime() - start) / ((long) CALLS * points);
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return nanos;
  }

  /**
   * {@code count} points on the paths from {@code startRows} Gaussian start rows to the explained
   * rows, 200 to a row, each at a random position on its path.
   */
  static PathPoints paths(int width, int startRows, int count, int target) {
    SplittableRandom random = new SplittableRandom(5);
    int rows = (count + POINTS_PER_ROW - 1) / POINTS_PER_ROW;
    double[] ends = new double[rows * width];
    double[] starts = new double[startRows * width];
    for (int i = 0; i < ends.length; i++) {
      ends[i] = (float) random.nextGaussian();
    }
    for (int i = 0; i < starts.length; i++) {
      starts[i] = (float) random.nextGaussian();
    }
    int[] endOf = new int[count];
    int[] startOf = new int[count];
    double[] alphas = new double[count];
    int[] targets = new int[count];
    for (int k = 0; k < count; k++) {
      endOf[k] = k / POINTS_PER_ROW;
      startOf[k] = random.nextInt(startRows);
      alphas[k] = random.nextDouble();
      targets[k] = target;
    }
    return new PathPoints(ends, starts, endOf, startOf, alphas, targets, count);
  }

  /** The points as the model sees them, for the plain gradient call. */
  static float[] pointsOf(PathPoints paths, int width) {
    float[] points = new float[paths.count() * width];
    for (int k = 0; k < paths.count(); k++) {
      for (int c = 0; c < width; c++) {
        double start = paths.starts()[paths.startOf()[k] * width + c];
        double end = paths.ends()[paths.endOf()[k] * width + c];
        points[k * width + c] = (float) (start + paths.alphas()[k] * (end - start));
      }
    }
    return points;
  }

  private static String cell(double[] nanos) {
    return String.format(Locale.ROOT, "%,.0f (%,.0f)", middle(nanos), Arrays.stream(nanos).min().orElseThrow());
  }

  /** The middle round's time: the upper of the two middle ones for an even count. */
  private static double middle(double[] values) {
    return Arrays.stream(values).sorted().toArray()[values.length / 2];
  }
}
