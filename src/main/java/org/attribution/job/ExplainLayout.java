package org.attribution.job;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * How the explain stage's rows are split into tasks, so that every task slot stays busy to the
 * end of the stage. Spark starts a stage's tasks in partition order, each on the next free slot,
 * and the stage lasts until its last task ends: an input read as two partitions of 197,000 and
 * 103,000 rows keeps one of two slots idle for a third of the stage. Explaining costs the same per
 * row within a run, so rows stand for time here.
 *
 * <p>An input whose partitions keep the slots busy (at least {@link #MIN_SLOT_USE} when each slot
 * takes the next partition as it frees up) is explained as read, with no shuffle; any other is
 * repartitioned into pieces of equal row count, {@link #PIECES_PER_SLOT} per slot, so that the
 * stage's last tasks are short and a slot that runs slower than the others (the JIT, garbage
 * collection, other processes) leaves them idle for at most a fraction of one. Results do not
 * depend on the layout: every row's random choices derive from its id.
 */
final class ExplainLayout {

  /** The share of the slots' time a layout must keep busy to be explained as read. */
  static final double MIN_SLOT_USE = 0.95;

  /** Pieces per task slot when the input is repartitioned. */
  static final int PIECES_PER_SLOT = 4;

  private ExplainLayout() {}

  /**
   * The rows of each of the input's partitions, in partition order. Reads no column (for Parquet,
   * only the row groups' counts), and gives the input's row count as their sum.
   */
  static long[] partitionRows(Dataset<Row> input) {
    List<Long> counts = input.select().javaRDD().mapPartitions(ExplainLayout::count).collect();
    return counts.stream().mapToLong(Long::longValue).toArray();
  }

  private static Iterator<Long> count(Iterator<Row> rows) {
    long n = 0;
    for (; rows.hasNext(); rows.next()) {
      n++;
    }
    return List.of(n).iterator();
  }

  /**
   * The share of {@code slots} task slots' time that tasks of {@code rows} rows keep busy, each
   * started in order on the first slot to free up, all at the same speed per row.
   */
  static double slotUse(long[] rows, int slots) {
    long total = LongStream.of(rows).sum();
    if (total == 0) {
      return 1;
    }
    PriorityQueue<Long> ends = new PriorityQueue<>();
    for (int s = 0; s < slots; s++) {
      ends.add(0L);
    }
    long last = 0;
    for (long r : rows) {
      long end = ends.poll() + r;
      ends.add(end);
      last = Math.max(last, end);
    }
    return (double) total / ((double) last * slots);
  }

  /**
   * How many equal pieces to repartition the input into, or 0 to explain it as read.
   *
   * @param rows the input's rows per partition
   * @param slots tasks that run at once
   * @param batchRows rows a task explains per batch: no piece is made smaller than one, since a
   *     short batch makes short model calls, but there are at least as many pieces as slots
   */
  static int pieces(long[] rows, int slots, int batchRows) {
    if (rows.length >= slots && slotUse(rows, slots) >= MIN_SLOT_USE) {
      return 0;
    }
    long total = LongStream.of(rows).sum();
    long batches = (total + batchRows - 1) / Math.max(1, batchRows);
    return (int) Math.min((long) slots * PIECES_PER_SLOT, Math.max(slots, batches));
  }

  /** The layout in a line: its partitions' rows and the slot use they give. */
  static String describe(long[] rows, int slots) {
    List<String> parts = new ArrayList<>();
    for (long r : rows) {
      parts.add(String.format("%,d", r));
    }
    return String.format("%d input partitions (%s rows), %.0f%% slot use on %d slots", rows.length,
        rows.length <= 8 ? String.join(", ", parts) : parts.size() + " sizes", 100 * slotUse(rows, slots), slots);
  }
}
