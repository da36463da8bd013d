package org.attribution.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import org.attribution.job.AttributionJob;
import org.attribution.job.AttributionResult;
import org.attribution.model.ActivationModel;
import org.attribution.model.InputShape;
import org.attribution.model.ModelFunction;
import org.attribution.model.OutputTransform;
import org.attribution.model.TorchScriptModel;
import org.attribution.output.RunManifest;
import org.attribution.testing.OtherGradient;

/**
 * Grad-CAM and permutation importance against their compute bound, on the digits sample's CNN
 * ({@code conf/digits-grad-cam.yaml}, {@code conf/digits-permutation.yaml}) with its 300
 * images repeated under new ids: the Lending Club benchmark ({@link Benchmark}) has neither an
 * image model nor labels.
 *
 * <p>The bound makes the job's model work in full calls on every task slot: Grad-CAM, per row,
 * one forward call for the predicted class and one activation-gradient call (the activations,
 * then the gradient of the class with respect to them); permutation importance, the forward
 * evaluations of the manifest ({@code 1 + players x repeats} per row). Pairs of job then bound,
 * the median of their ratios, every pair printed.
 *
 * <p>Usage: {@code scripts/bench.sh --images [--copies N] [--pairs N]}, default 1,000 copies
 * (300,000 rows) and 3 pairs.
 */
public final class ImageBenchmark {

  private static final int CALL_ROWS = 2048;

  private ImageBenchmark() {}

  public static void main(String[] args) throws Exception {
    int copies = 1_000;
    int pairs = 3;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--copies" -> copies = Integer.parseInt(args[++i]);
        case "--pairs" -> pairs = Integer.parseInt(args[++i]);
        case "--images" -> { }
        default -> throw new IllegalArgumentException("Unknown option " + args[i] + " (--copies N, --pairs N)");
      }
    }
    SparkSession spark = SparkSession.builder().master("local[*]").appName("image-benchmark")
        .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "8").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    int slots = spark.sparkContext().defaultParallelism();
    Path data = Path.of("target/bench-data/digits-" + copies + ".parquet");
    if (!Files.exists(data)) {
      Dataset<Row> digits = spark.read().json("data-sample/digits/digits.jsonl");
      // New ids: copy c of image i is c x 100,000 + i (the sample's ids, rows of scikit-learn's
      // file, are below 1,797).
      spark.range(copies).withColumnRenamed("id", "copy").crossJoin(digits)
          .select(col("copy").multiply(lit(100_000L)).plus(col("id")).as("id"), col("label"), col("pixels"))
          .write().parquet(data.toString());
    }
    long rows = spark.read().parquet(data.toString()).count();
    System.out.printf(Locale.ROOT, "%n| method | rows | evals/row | pairs: job s / bound s = job / bound | median |"
        + " attribute s | model time in the job s |%n|---|--:|--:|---|--:|--:|--:|%n");
    for (String method : List.of("grad-cam", "permutation")) {
      Path job = Path.of("conf/digits-" + method + ".yaml");
      run(spark, job, data, Path.of("target/bench-out/warm-" + method), 1_000);
      List<double[]> measured = new ArrayList<>();
      RunManifest manifest = null;
      for (int p = 0; p < pairs; p++) {
        long start = System.nanoTime();
        AttributionResult result = run(spark, job, data, Path.of("target/bench-out/" + method + "-" + p), 0);
        double jobSeconds = (System.nanoTime() - start) / 1e9;
        manifest = result.manifest();
        double boundSeconds = bound(method, manifest, slots);
        measured.add(new double[] {jobSeconds, boundSeconds});
        System.err.printf(Locale.ROOT, "%s pair %d: job %.1f s, bound %.1f s%n", method, p + 1, jobSeconds, boundSeconds);
      }
      StringBuilder shown = new StringBuilder();
      double[] ratios = new double[measured.size()];
      for (int p = 0; p < measured.size(); p++) {
        ratios[p] = measured.get(p)[0] / measured.get(p)[1];
        shown.append(p == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.1f / %.1f = %.2f", measured.get(p)[0],
            measured.get(p)[1], ratios[p]));
      }
      java.util.Arrays.sort(ratios);
      System.out.printf(Locale.ROOT, "| %s | %,d | %d | %s | **%.2f** | %.1f | %.1f |%n", manifest.config().method().id(), rows,
          manifest.execution().evaluationsPerRow(), shown, ratios[ratios.length / 2],
          manifest.timingsMs().get("attribute") / 1e3, manifest.modelTaskSeconds());
    }
    spark.stop();
  }

  private static AttributionResult run(SparkSession spark, Path job, Path data, Path out, int limit) {
    Dataset<Row> input = spark.read().parquet(data.toString());
    JobConfig config = JobConfigLoader.load(job, Map.of("input.path", data.toString(), "input.format", "parquet",
        "output.path", out.toAbsolutePath().toString()));
    return AttributionJob.builder(spark).config(config).input(limit > 0 ? input.limit(limit) : input).execute();
  }

  /** The bound's seconds for the job's model work, on {@code slots} threads. */
  private static double bound(String method, RunManifest manifest, int slots) throws Exception {
    TorchScriptModel model = TorchScriptModel.load("digits_cnn.pt",
        Files.readAllBytes(Path.of("data-sample/digits/digits_cnn.pt")), Device.cpu(), OutputTransform.fromId("softmax"),
        new InputShape(List.of(1, 8, 8)));
    long rows = manifest.rows().explained();
    if (method.equals("grad-cam")) {
      // Gradient calls stand for Grad-CAM's activation-gradient calls, forward calls for the
      // predicted class.
      ActivationModel activations = model.activationModel();
      ModelFunction camCalls = new OtherGradient(model, (inputs, n, targets, targetOutputs) ->
          activations.activationGradient(activations.activations(inputs, n), n, targets, targetOutputs));
      return ComputeBound.run(camCalls, calls(true, rows).plus(calls(false, rows)), slots, 0).seconds();
    }
    return ComputeBound.run(model, calls(false, rows * manifest.execution().evaluationsPerRow()).list, slots, 0)
        .seconds();
  }

  /** {@code evaluations} rows in full calls and one call of the rest. */
  private static Plan calls(boolean gradient, long evaluations) {
    List<ComputeBound.Calls> list = new ArrayList<>();
    list.add(new ComputeBound.Calls(gradient, CALL_ROWS, evaluations / CALL_ROWS));
    if (evaluations % CALL_ROWS > 0) {
      list.add(new ComputeBound.Calls(gradient, (int) (evaluations % CALL_ROWS), 1));
    }
    return new Plan(list);
  }

  private record Plan(List<ComputeBound.Calls> list) {
    List<ComputeBound.Calls> plus(Plan other) {
      List<ComputeBound.Calls> all = new ArrayList<>(list);
      all.addAll(other.list);
      return all;
    }
  }
}
