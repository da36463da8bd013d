package org.attribution.job;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.InvalidJobException;

/**
 * Loads the model where the tasks run and runs one row through it, before the explain stage.
 *
 * <p>The driver's dry run cannot see what only the executors have: a missing or mismatched CUDA
 * library, a wrong {@code PYTORCH_FLAVOR}, an unwritable DJL cache, no GPU where one was asked
 * for. In the explain stage such a failure would fail every task four times over, after minutes,
 * with the cause deep in an executor's log. Here each task reports its failure as data instead of
 * throwing, so nothing is retried, and the job stops at once with exit code 2 and one message
 * that names the executor and the whole cause chain. The model a task loads stays in its
 * executor's cache for the explain stage.
 */
final class ExecutorPreflight {

  private ExecutorPreflight() {}

  /**
   * Runs one small task per slot, which in practice reaches every executor.
   *
   * @throws InvalidJobException naming each executor whose model check failed
   */
  static void check(SparkSession spark, Broadcast<byte[]> modelBytes, ModelSpec spec, int slots) {
    spark.sparkContext().setJobDescription("Checking the model on the executors");
    List<String> failures = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(IntStream.range(0, slots).boxed().toList(), slots)
        .mapPartitions(ignored -> {
          String failure = checkHere(spec, modelBytes);
          return (failure == null ? List.<String>of() : List.of(failure)).iterator();
        })
        .collect();
    if (!failures.isEmpty()) {
      throw new InvalidJobException("Cannot run the model on the executors: "
          + String.join("; ", new LinkedHashSet<>(failures)));
    }
  }

  /** Null when the model runs in this task, else where and why it does not. */
  private static String checkHere(ModelSpec spec, Broadcast<byte[]> modelBytes) {
    try {
      ExecutorModels.get(spec, modelBytes::value, TaskContext.get()).forward(new float[spec.inputWidth()], 1);
      return null;
    } catch (RuntimeException | LinkageError e) {
      SparkEnv env = SparkEnv.get();
      return "executor " + env.executorId() + " on " + env.blockManager().blockManagerId().host() + ": "
          + causeChain(e);
    }
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
