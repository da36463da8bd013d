package org.attribution.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The benchmark's dataset builder: exact size, fresh ids, sample rows only, same data every time. */
class BenchDataTest {

  private final SparkSession spark = SparkTestSession.get();

  @Test
  void resampledDatasetHasTheRequestedRowsAndIsTheSameEachTime(@TempDir Path dir) {
    long rows = 1_000;
    Dataset<Row> first = spark.read().parquet(
        BenchData.ensure(spark, dir.resolve("a"), BenchData.SAMPLE, rows, 7, 400).toString());
    Dataset<Row> second = spark.read().parquet(
        BenchData.ensure(spark, dir.resolve("b"), BenchData.SAMPLE, rows, 7, 400).toString());
    Dataset<Row> sample = spark.read().parquet(BenchData.SAMPLE);

    assertArrayEquals(sample.columns(), first.columns());
    Row ids = first.agg(count("*"), countDistinct(col("loan_id")), min("loan_id"), max("loan_id")).first();
    assertEquals(rows, ids.getLong(0));
    assertEquals(rows, ids.getLong(1));
    assertEquals(1L, ids.getLong(2));
    assertEquals(rows, ids.getLong(3));
    assertEquals(3, first.inputFiles().length, "one file per 400 rows");

    assertEquals(0, first.exceptAll(second).count());
    assertEquals(0, second.exceptAll(first).count());
    assertEquals(0, first.drop("loan_id").except(sample.drop("loan_id")).count(), "every row is a sample row");
    // Drawn with replacement: 1,000 draws from 9,857 rows repeat some (about 50 expected).
    long distinct = first.drop("loan_id").distinct().count();
    assertTrue(distinct < rows && distinct > 900, "distinct rows: " + distinct);
  }

  @Test
  void anotherSeedGivesOtherRows(@TempDir Path dir) {
    Dataset<Row> a = BenchData.resample(spark, BenchData.SAMPLE, 500, 1);
    Dataset<Row> b = BenchData.resample(spark, BenchData.SAMPLE, 500, 2);
    assertEquals(500, a.count());
    assertNotEquals(0, a.exceptAll(b).count());
  }
}
