package org.attribution.job;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Prints how far a long run is, every few seconds, on the driver: rows explained, model
 * evaluations done out of the plan's, their rate and the time left.
 *
 * <p>A driver-side accumulator only moves when a task ends, and one task can hold a long run's
 * whole partition. So the evaluations of running tasks are read from the executors' heartbeats,
 * which carry every running task's accumulator values (every {@code
 * spark.executor.heartbeatInterval}, 10 s by default), and added to the finished tasks' total.
 * Model calls are a few milliseconds each, so the count moves within a batch too.
 */
final class Progress implements AutoCloseable {

  private final TaskCounters counters;
  private final Plan plan;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;
  private final SparkContext spark;
  private final RunningTasks running;

  private Progress(SparkContext spark, TaskCounters counters, Plan plan, int intervalSeconds, PrintStream out) {
    this.spark = spark;
    this.counters = counters;
    this.plan = plan;
    this.out = out;
    this.running = new RunningTasks(counters.evaluations().id());
    spark.addSparkListener(running);
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "attribution-progress");
      thread.setDaemon(true);
      return thread;
    });
    timer.scheduleAtFixedRate(this::report, intervalSeconds, intervalSeconds, TimeUnit.SECONDS);
  }

  /**
   * Starts reporting; {@code intervalSeconds} of 0 reports nothing.
   *
   * @param counters what the tasks count: explained rows per batch, model evaluations per call
   * @param plan what the run is about to do
   */
  static Progress start(SparkContext spark, TaskCounters counters, Plan plan, int intervalSeconds, PrintStream out) {
    return intervalSeconds > 0 ? new Progress(spark, counters, plan, intervalSeconds, out) : null;
  }

  void report() {
    // A task's last heartbeat can still be counted for a moment after its end reached the
    // accumulator: never report more than the plan.
    long done = Math.min(plan.evaluations(), counters.evaluations().value() + running.evaluations());
    out.println(line(counters.rows().value(), plan.rows(), done, plan.evaluations(), (System.nanoTime() - startNanos) / 1e9));
  }

  /** One progress line. */
  static String line(long rows, long totalRows, long evaluations, long totalEvaluations, double seconds) {
    double rate = seconds > 0 ? evaluations / seconds : 0;
    String share = totalEvaluations > 0 ? String.format(" (%.0f%%)", 100.0 * evaluations / totalEvaluations) : "";
    String left = rate > 0 && totalEvaluations > evaluations
        ? ", about " + human(Duration.ofSeconds((long) ((totalEvaluations - evaluations) / rate))) + " left" : "";
    return String.format("Explained %,d of %,d rows; %,d of %,d model evaluations%s, %,.0f/s%s", rows, totalRows,
        evaluations, totalEvaluations, share, rate, left);
  }

  static String human(Duration left) {
    if (left.toHours() > 0) {
      return left.toHours() + " h " + left.toMinutesPart() + " min";
    }
    if (left.toMinutes() > 0) {
      return left.toMinutes() + " min " + left.toSecondsPart() + " s";
    }
    return left.toSeconds() + " s";
  }

  @Override
  public void close() {
    timer.shutdownNow();
    spark.removeSparkListener(running);
  }

  /** The latest heartbeat value of one accumulator in each running task. */
  static final class RunningTasks extends SparkListener {
    private final long accumulatorId;
    private final Map<Long, Long> latest = new ConcurrentHashMap<>();

    RunningTasks(long accumulatorId) {
      this.accumulatorId = accumulatorId;
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
      // Scala's own iterators, not a converter: the updates are a scala.collection.Seq on Scala
      // 2.12 and an immutable one on 2.13, whose converters live in different classes; both
      // have the same iterator, so this source compiles for either Spark line.
      for (var tasks = update.accumUpdates().iterator(); tasks.hasNext(); ) {
        var task = tasks.next();
        for (var infos = task._4().iterator(); infos.hasNext(); ) {
          AccumulableInfo info = infos.next();
          if (info.id() == accumulatorId && info.update().isDefined()) {
            latest.put((Long) task._1(), ((Number) info.update().get()).longValue());
          }
        }
      }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
      // From here on the task's count is in the accumulator itself.
      latest.remove(end.taskInfo().taskId());
    }

    /** The running tasks' evaluations so far. */
    long evaluations() {
      return latest.values().stream().mapToLong(Long::longValue).sum();
    }
  }
}
