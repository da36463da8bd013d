package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.udf;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.unsafe.hash.Murmur3_x86_32;

/**
 * How the explain stage's rows are split into tasks, so that every task slot stays busy to the
 * end of the stage. Spark starts a stage's tasks in partition order, each on the next free slot,
 * and the stage lasts until its last task ends: an input read as two partitions of 197,000 and
 * 103,000 rows keeps one of two slots idle for a third of the stage. Explaining costs about the
 * same per row within a run, so rows stand for time here.
 *
 * <p>An input whose partitions keep the slots busy (at least {@link #MIN_SLOT_USE} when each slot
 * takes the next partition as it frees up) is explained as read, with no shuffle. Any other is
 * split into pieces that shrink as the stage goes on (guided self-scheduling, Polychronopoulos and
 * Kuck 1987): each piece holds {@code 1 / (GUIDED_SHARE x slots)} of the rows not yet in a piece,
 * down to {@code 1 / TAIL_PIECES_PER_SLOT} of a slot's rows. Equal pieces cannot do this: the same
 * work ran 9.6 to 16.7 s per task in one 5,000-row Kernel SHAP job on this project's 2-core
 * benchmark machine (the JIT, garbage collection and the machine's own speed), so a slot that
 * draws slow tasks finishes up to a whole piece after the others, and equal pieces short enough to
 * bound that would make many more tasks. Results do not depend on the layout: every row's random
 * choices derive from its id.
 */
final class ExplainLayout {

  /** The share of the slots' time a layout must keep busy to be explained as read. */
  static final double MIN_SLOT_USE = 0.95;

  /** Each piece holds this share, over the slots, of the rows not yet in a piece. */
  static final int GUIDED_SHARE = 2;

  /**
   * The smallest pieces hold this share of a slot's rows: what a slot can be left idle for at the
   * end, when the others draw slow tasks.
   */
  static final int TAIL_PIECES_PER_SLOT = 16;

  /** The column that carries each row's piece through the shuffle, dropped after it. */
  private static final String PIECE_COLUMN = "__explain_piece";

  /** The seed of Spark SQL's {@code Murmur3Hash}, which hash partitioning uses. */
  private static final int SPARK_HASH_SEED = 42;

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
   * The rows of each piece to split the input into, largest first, or none to explain it as read.
   *
   * @param rows the input's rows per partition
   * @param slots tasks that run at once
   * @param batchRows rows a task explains per batch: no piece but the last, which takes the rows
   *     left, is made smaller than one, since a short batch makes short model calls, but there are
   *     at least as many pieces as slots
   */
  static long[] pieces(long[] rows, int slots, int batchRows) {
    if (rows.length >= slots && slotUse(rows, slots) >= MIN_SLOT_USE) {
      return new long[0];
    }
    long total = LongStream.of(rows).sum();
    long tail = Math.max(batchRows, ceilDiv(total, (long) slots * TAIL_PIECES_PER_SLOT));
    long smallest = Math.max(1, Math.min(ceilDiv(total, slots), tail));
    List<Long> pieces = new ArrayList<>();
    for (long left = total; left > 0; ) {
      long piece = Math.min(left, Math.max(smallest, ceilDiv(left, (long) slots * GUIDED_SHARE)));
      pieces.add(piece);
      left -= piece;
    }
    return pieces.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * The rows split into pieces of about the given sizes, piece i in partition i, so that Spark
   * starts them largest first. Each row's piece follows from its seed (a hash of the run seed and
   * its id), so the split is the same on every run of a task and every row lands in a piece of the
   * intended share, give or take the binomial spread.
   *
   * @param rows the rows, with a 64-bit seed column
   * @param seedColumn that column
   * @param pieces the pieces' intended rows, from {@link #pieces}
   */
  static Dataset<Row> split(Dataset<Row> rows, String seedColumn, long[] pieces) {
    double[] ends = ends(pieces);
    int[] keys = partitionKeys(pieces.length);
    UDF1<Long, Integer> keyOf = seed -> keys[pieceOf(seed, ends)];
    return rows.withColumn(PIECE_COLUMN, udf(keyOf, DataTypes.IntegerType).apply(col(seedColumn)))
        .repartition(pieces.length, col(PIECE_COLUMN))
        .drop(PIECE_COLUMN);
  }

  /** Where each piece's share of the rows ends, from 0 to 1, for {@link #pieceOf}. */
  static double[] ends(long[] pieces) {
    double total = LongStream.of(pieces).sum();
    double[] ends = new double[pieces.length];
    long before = 0;
    for (int i = 0; i < pieces.length; i++) {
      before += pieces[i];
      ends[i] = before / total;
    }
    ends[pieces.length - 1] = 1;
    return ends;
  }

  /** The piece of a row with this seed: its seed's top 53 bits as a uniform draw against the ends. */
  static int pieceOf(long seed, double[] ends) {
    double u = (seed >>> 11) * 0x1.0p-53;
    int at = Arrays.binarySearch(ends, u);
    // Ends are exclusive: a draw equal to one belongs to the next piece.
    return at >= 0 ? at + 1 : -at - 1;
  }

  /**
   * For each partition index i, an int that Spark's hash partitioning into {@code partitions}
   * sends to partition i: {@code pmod(murmur3(key, 42), partitions)}, the expression of {@code
   * repartition(n, column)} for an int column (the same in Spark 3.5 and 4).
   */
  static int[] partitionKeys(int partitions) {
    int[] keys = new int[partitions];
    boolean[] found = new boolean[partitions];
    int left = partitions;
    for (int key = 0; left > 0; key++) {
      int partition = Math.floorMod(Murmur3_x86_32.hashInt(key, SPARK_HASH_SEED), partitions);
      if (!found[partition]) {
        found[partition] = true;
        keys[partition] = key;
        left--;
      }
    }
    return keys;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
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
