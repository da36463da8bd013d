package org.attribution.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.InvalidJobException;
import org.attribution.model.GradientCheck;
import org.attribution.model.TorchScriptModel;

/**
 * Loads the model where the tasks run and runs one row through it, before the explain stage; for
 * a gradient method, also checks its gradients at rows of the data ({@link GradientCheck}).
 *
 * <p>The driver's dry run cannot see what only the executors have: a missing or mismatched CUDA
 * library, a wrong {@code PYTORCH_FLAVOR}, an unwritable DJL cache, no GPU where one was asked
 * for, a processor on which libtorch computes some gradients wrongly. In the explain stage such a
 * failure would fail every task four times over, after minutes, with the cause deep in an
 * executor's log. Here each task reports its failure as data instead of throwing, so nothing is
 * retried, and the job stops at once with exit code 2 and one message that names the executor
 * and the whole cause chain. The model a task loads stays in its
 * executor's cache for the explain stage.
 */
final class ExecutorPreflight {

  private ExecutorPreflight() {}

  /**
   * Runs one small task per slot, which in practice reaches every executor; with {@code calibrate},
   * each task then times the model's calls ({@link CallCalibration}), all at once.
   *
   * @param probeRows rows of the data at which each task checks the model's gradients ({@link
   *     GradientCheck}); null for a method that takes none
   * @param calibrate the kind of call and the budget to time calls within; null to time none
   * @return per executor id, its mean time per row by call size timed ({@link
   *     CallCalibration#meanNanosPerRow}); empty without {@code calibrate}
   * @throws InvalidJobException naming each executor whose model check failed
   */
  static Map<String, Map<Integer, Double>> check(SparkSession spark, Broadcast<byte[]> modelBytes, ModelSpec spec,
      int slots, float[] probeRows, CallCalibration.Request calibrate) {
    spark.sparkContext().setJobDescription(calibrate == null ? "Checking the model on the executors"
        : "Checking the model on the executors and timing its calls");
    List<Report> reports = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(IntStream.range(0, slots).boxed().toList(), slots)
        .mapPartitions(ignored -> List.of(checkHere(spec, modelBytes, probeRows, calibrate)).iterator())
        .collect();
    Set<String> failures = new LinkedHashSet<>();
    List<CallCalibration.Timing> timings = new ArrayList<>();
    for (Report report : reports) {
      if (report.failure() != null) {
        failures.add(report.failure());
      }
      timings.addAll(report.timings());
    }
    if (!failures.isEmpty()) {
      throw new InvalidJobException("Cannot run the model on the executors: " + String.join("; ", failures));
    }
    return CallCalibration.meanNanosPerRow(timings);
  }

  /**
   * One task's check: a failure (where and why the model does not run in this task) or the
   * timings of its calls, if asked for.
   */
  private record Report(String failure, List<CallCalibration.Timing> timings) implements Serializable {}

  private static Report checkHere(ModelSpec spec, Broadcast<byte[]> modelBytes, float[] probeRows,
      CallCalibration.Request calibrate) {
    SparkEnv env = SparkEnv.get();
    try {
      TorchScriptModel model = ExecutorModels.get(spec, modelBytes::value, TaskContext.get());
      model.forward(new float[spec.inputWidth()], 1);
      String problem = probeRows == null ? null
          : GradientCheck.problem(model, probeRows, probeRows.length / spec.inputWidth());
      if (problem != null) {
        return new Report(where(env) + ": " + problem, List.of());
      }
      return new Report(null, calibrate == null ? List.of()
          : CallCalibration.time(model, calibrate, env.executorId()));
    } catch (RuntimeException | LinkageError e) {
      return new Report(where(env) + ": " + causeChain(e), List.of());
    }
  }

  private static String where(SparkEnv env) {
    return "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host();
  }

  /** Every distinct message from the failure down to its root cause. */
  static String causeChain(Throwable failure) {
    Set<String> messages = new LinkedHashSet<>();
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      String message = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName()
          : t.getMessage().lines().findFirst().orElse("").strip();
      messages.add(message);
    }
    List<String> parts = new ArrayList<>(messages);
    return String.join("; caused by: ", parts);
  }
}
