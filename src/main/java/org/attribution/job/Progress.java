package org.attribution.job;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.spark.util.LongAccumulator;

/**
 * Prints how far a long run is, every few seconds, on the driver: rows explained out of the
 * total, the rate and the time left.
 *
 * <p>Executors count rows into an accumulator per batch; Spark merges those counts when a task
 * ends, so the figure moves in steps of a partition. The rate is over the whole run so far, which
 * is steadier than the last interval's.
 */
final class Progress implements AutoCloseable {

  private final LongAccumulator done;
  private final long total;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService timer;

  private Progress(LongAccumulator done, long total, int intervalSeconds, PrintStream out) {
    this.done = done;
    this.total = total;
    this.out = out;
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
   * @param done the accumulator executors add explained rows to
   * @param total rows to explain (an upper bound: rejected rows are not explained)
   */
  static Progress start(LongAccumulator done, long total, int intervalSeconds, PrintStream out) {
    return intervalSeconds > 0 ? new Progress(done, total, intervalSeconds, out) : null;
  }

  void report() {
    out.println(line(done.value(), total, (System.nanoTime() - startNanos) / 1e9));
  }

  /** One progress line. */
  static String line(long rows, long total, double seconds) {
    double rate = seconds > 0 ? rows / seconds : 0;
    String share = total > 0 ? String.format(" (%.0f%%)", 100.0 * rows / total) : "";
    String left = rate > 0 && total > rows ? ", about " + human(Duration.ofSeconds((long) ((total - rows) / rate)))
        + " left" : "";
    return String.format("Explained %,d of %,d rows%s, %,.0f rows/s%s", rows, total, share, rate, left);
  }

  private static String human(Duration left) {
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
  }
}
