package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

/** When the explain stage's input is split into equal pieces, and into how many. */
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
    assertEquals(0, ExplainLayout.pieces(new long[] {150_000, 150_000}, 2, 1_000));
    assertEquals(0, ExplainLayout.pieces(new long[] {40, 50, 60, 50}, 2, 10));
    long[] sixteenFiles = new long[16];
    java.util.Arrays.fill(sixteenFiles, 65_536);
    sixteenFiles[15] = 16_960;
    assertEquals(0, ExplainLayout.pieces(sixteenFiles, 2, 1_000));
  }

  @Test
  void anyOtherLayoutIsSplitIntoFourEqualPiecesPerSlot() {
    assertEquals(8, ExplainLayout.pieces(new long[] {196_608, 103_392}, 2, 1_370));
    assertEquals(8, ExplainLayout.pieces(new long[] {100, 100, 100}, 2, 10));
    assertEquals(32, ExplainLayout.pieces(new long[] {5_000}, 8, 3));
    // An empty partition beside a full one.
    assertEquals(8, ExplainLayout.pieces(new long[] {0, 300_000}, 2, 1_370));
  }

  @Test
  void noPieceIsSmallerThanABatchButEverySlotGetsOne() {
    assertEquals(3, ExplainLayout.pieces(new long[] {40}, 2, 16));
    assertEquals(2, ExplainLayout.pieces(new long[] {5}, 2, 1_000));
  }

  @Test
  void countsTheRowsOfEachPartitionInOrder() {
    SparkSession spark = SparkTestSession.get();
    Dataset<Row> ids = spark.range(0, 100, 1, 1).toDF("id");
    Dataset<Row> uneven = ids.filter(col("id").lt(70)).coalesce(1).union(ids.filter(col("id").geq(70)).coalesce(1));
    assertArrayEquals(new long[] {70, 30}, ExplainLayout.partitionRows(uneven));
  }
}
