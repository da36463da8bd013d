package org.attribution.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.StageInfo;

/**
 * Spark stages of a measured job, from a listener: how many tasks each had, how long it took, and
 * how well its tasks kept the task slots busy (the sum of task run times over wall time times
 * slots). A stage with fewer tasks than slots, or one long task, shows here as low utilisation.
 */
final class StageStats extends SparkListener {

  /** One completed stage. */
  record Stage(
      int id,
      String description,
      String name,
      int tasks,
      double wallSeconds,
      double taskSeconds,
      double cpuSeconds,
      double gcSeconds,
      double maxTaskSeconds,
      double minTaskSeconds,
      long recordsRead) {

    double utilisation(int slots) {
      return wallSeconds <= 0 ? 0 : taskSeconds / (wallSeconds * slots);
    }
  }

  private final Map<Integer, String> descriptions = new ConcurrentHashMap<>();
  private final Map<Integer, double[]> taskRange = new ConcurrentHashMap<>();
  private final List<Stage> stages = new ArrayList<>();

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted event) {
    String description = event.properties() == null ? null
        : event.properties().getProperty("spark.job.description");
    descriptions.put(event.stageInfo().stageId(), description == null ? "" : description);
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd event) {
    double seconds = event.taskInfo().duration() / 1000.0;
    taskRange.merge(event.stageId(), new double[] {seconds, seconds},
        (a, b) -> new double[] {Math.max(a[0], b[0]), Math.min(a[1], b[1])});
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted event) {
    StageInfo info = event.stageInfo();
    long submitted = info.submissionTime().isDefined() ? (Long) info.submissionTime().get() : 0L;
    long completed = info.completionTime().isDefined() ? (Long) info.completionTime().get() : submitted;
    double[] range = taskRange.getOrDefault(info.stageId(), new double[] {0, 0});
    var metrics = info.taskMetrics();
    stages.add(new Stage(info.stageId(), descriptions.getOrDefault(info.stageId(), ""), info.name(), info.numTasks(),
        (completed - submitted) / 1000.0,
        metrics == null ? 0 : metrics.executorRunTime() / 1000.0,
        metrics == null ? 0 : metrics.executorCpuTime() / 1e9,
        metrics == null ? 0 : metrics.jvmGCTime() / 1000.0,
        range[0], range[1],
        metrics == null ? 0 : metrics.inputMetrics().recordsRead()));
  }

  /** Forgets every stage seen so far. */
  synchronized void clear() {
    stages.clear();
  }

  /** The stages completed since the last {@link #clear()}, after the listener bus has caught up. */
  List<Stage> stages(SparkContext context) {
    try {
      context.listenerBus().waitUntilEmpty();
    } catch (java.util.concurrent.TimeoutException | RuntimeException e) {
      // Only a best effort to see the last stage's event.
    }
    synchronized (this) {
      return new ArrayList<>(stages);
    }
  }

  /** A markdown table of the stages, longest first, those under {@code minSeconds} summed. */
  static String table(List<Stage> stages, int slots, double minSeconds) {
    StringBuilder out = new StringBuilder();
    out.append("| stage | job description | tasks | wall s | task s | CPU s | GC s | longest task s | shortest task s "
        + "| slot use |\n");
    out.append("|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    double restWall = 0;
    int rest = 0;
    for (Stage s : stages) {
      if (s.wallSeconds() < minSeconds) {
        restWall += s.wallSeconds();
        rest++;
        continue;
      }
      out.append(String.format(Locale.ROOT, "| %d | %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f%% |%n",
          s.id(), s.description().isEmpty() ? s.name() : s.description(), s.tasks(), s.wallSeconds(),
          s.taskSeconds(), s.cpuSeconds(), s.gcSeconds(), s.maxTaskSeconds(), s.minTaskSeconds(),
          100 * s.utilisation(slots)));
    }
    if (rest > 0) {
      out.append(String.format(Locale.ROOT, "| | %d shorter stages | | %.1f | | | | | | |%n", rest, restWall));
    }
    return out.toString();
  }
}
