package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.Arrays;
import java.util.stream.DoubleStream;
import java.util.stream.LongStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** When the explain stage's input is split into pieces, into which, and how rows find theirs. */
class ExplainLayoutTest {

  @Test
  void slotUseIsTheTasksTimeOverTheSlotsTimeUntilTheLastTaskEnds() {
    // 3 files and 2 files of 65,536 rows, read as one partition each: the second slot idles from
    // 131,072 to 196,608.
    assertEquals(300_000.0 / (2 * 196_608), ExplainLayout.slotUse(new long[] {196_608, 103_392}, 2), 1e-12);
    assertEquals(1.0, ExplainLayout.slotUse(new long[] {500, 500}, 2));
    // Three equal tasks on two slots: the third runs alone.
    assertEquals(0.75, ExplainLayout.slotUse(new long[] {100, 100, 100}, 2), 1e-12);
    // Each task goes to the first slot to free up: 40 + 60 on one, 50 + 50 on the other.
    assertEquals(1.0, ExplainLayout.slotUse(new long[] {40, 50, 60, 50}, 2), 1e-12);
    assertEquals(0.5, ExplainLayout.slotUse(new long[] {100}, 2));
  }

  @Test
  void aLayoutThatKeepsTheSlotsBusyIsExplainedAsRead() {
    assertEquals(0, ExplainLayout.pieces(new long[] {150_000, 150_000}, 2, 1_000).length);
    assertEquals(0, ExplainLayout.pieces(new long[] {40, 50, 60, 50}, 2, 10).length);
    long[] sixteenFiles = new long[16];
    java.util.Arrays.fill(sixteenFiles, 65_536);
    sixteenFiles[15] = 16_960;
    assertEquals(0, ExplainLayout.pieces(sixteenFiles, 2, 1_000).length);
  }

  @Test
  void anyOtherLayoutIsSplitIntoPiecesThatShrinkToASixteenthOfASlotsRows() {
    // 300 rows on 2 slots: each piece a quarter of the rows left, rounded up, down to 300 / 32.
    assertArrayEquals(new long[] {75, 57, 42, 32, 24, 18, 13, 10, 10, 10, 9},
        ExplainLayout.pieces(new long[] {100, 100, 100}, 2, 1));
    long[] uneven = ExplainLayout.pieces(new long[] {196_608, 103_392}, 2, 1_370);
    assertEquals(300_000, LongStream.of(uneven).sum());
    assertEquals(75_000, uneven[0]);
    assertEquals(9_375, uneven[uneven.length - 2]);
    for (int i = 1; i < uneven.length; i++) {
      assertTrue(uneven[i] <= uneven[i - 1], "pieces shrink: " + Arrays.toString(uneven));
    }
    // 8 slots: the first piece is a sixteenth of the rows.
    assertEquals(313, ExplainLayout.pieces(new long[] {5_000}, 8, 3)[0]);
    // An empty partition beside a full one.
    assertArrayEquals(uneven, ExplainLayout.pieces(new long[] {0, 300_000}, 2, 1_370));
  }

  @Test
  void aSlotThatRunsSlowerLeavesTheOthersIdleForOneShortPieceAtMost() {
    // The benchmark's 5,000 Kernel SHAP rows, one slot 1.3 times slower than the other (the same
    // work ran 9.6 to 16.7 s per task in one job). Eight equal pieces, the old split, end with the
    // fast slot idle while the slow one runs its fourth.
    long[] guided = ExplainLayout.pieces(new long[] {5_000}, 2, 3);
    double[] secondsPerRow = {1.0, 1.3};
    assertEquals(0.88, busyShare(new long[] {625, 625, 625, 625, 625, 625, 625, 625}, secondsPerRow), 0.005);
    assertTrue(busyShare(guided, secondsPerRow) >= 0.97, "slot use " + busyShare(guided, secondsPerRow));
    assertTrue(busyShare(guided, new double[] {1.0, 1.0}) >= 0.97);
  }

  /** The share of the slots' time busy when each piece starts, in order, on the first slot to free up. */
  private static double busyShare(long[] pieces, double[] secondsPerRow) {
    double[] freeAt = new double[secondsPerRow.length];
    double busy = 0;
    for (long piece : pieces) {
      int slot = 0;
      for (int s = 1; s < freeAt.length; s++) {
        slot = freeAt[s] < freeAt[slot] ? s : slot;
      }
      freeAt[slot] += piece * secondsPerRow[slot];
      busy += piece * secondsPerRow[slot];
    }
    return busy / (DoubleStream.of(freeAt).max().orElseThrow() * freeAt.length);
  }

  @Test
  void noPieceIsSmallerThanABatchButEverySlotGetsOne() {
    assertArrayEquals(new long[] {16, 16, 8}, ExplainLayout.pieces(new long[] {40}, 2, 16));
    assertArrayEquals(new long[] {3, 2}, ExplainLayout.pieces(new long[] {5}, 2, 1_000));
  }

  @Test
  void aRowsSeedDrawsItsPieceAgainstTheEndsOfTheShares() {
    double[] ends = {0.25, 1.0};
    assertEquals(0, ExplainLayout.pieceOf(0L, ends));
    long quarter = (long) (0.25 * 0x1.0p53) << 11;
    assertEquals(0, ExplainLayout.pieceOf(quarter - (1L << 11), ends));
    assertEquals(1, ExplainLayout.pieceOf(quarter, ends));
    assertEquals(1, ExplainLayout.pieceOf(-1L, ends));
  }

  @Test
  void eachPieceIsItsOwnPartitionInOrder() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> rows = spark.range(0, 20_000, 1, 1).toDF("id").withColumn("row_seed", xxhash64(lit(7L), col("id")));
    long[] pieces = ExplainLayout.pieces(new long[] {20_000}, 3, 10);
    double[] ends = ExplainLayout.ends(pieces);
    long[] expected = new long[pieces.length];
    for (Row row : rows.collectAsList()) {
      expected[ExplainLayout.pieceOf(row.getLong(1), ends)]++;
    }
    Dataset<Row> split = ExplainLayout.split(rows, "row_seed", pieces);
    assertArrayEquals(new String[] {"id", "row_seed"}, split.columns());
    assertArrayEquals(expected, ExplainLayout.partitionRows(split));
    for (int i = 0; i < pieces.length; i++) {
      // The binomial spread of each piece's rows: five of its standard deviations.
      double p = (double) pieces[i] / 20_000;
      assertEquals(pieces[i], expected[i], 5 * Math.sqrt(20_000 * p * (1 - p)) + 1, "piece " + i);
    }
  }

  @Test
  void countsTheRowsOfEachPartitionInOrder() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> ids = spark.range(0, 100, 1, 1).toDF("id");
    Dataset<Row> uneven = ids.filter(col("id").lt(70)).coalesce(1).union(ids.filter(col("id").geq(70)).coalesce(1));
    assertArrayEquals(new long[] {70, 30}, ExplainLayout.partitionRows(uneven));
  }
}
