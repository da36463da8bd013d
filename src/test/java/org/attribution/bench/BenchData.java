package org.attribution.bench;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Benchmark inputs of any size, resampled with replacement from the sample loans.
 *
 * <p>Row {@code i} (1-based, also its new {@code loan_id}) is a copy of sample row
 * {@code pmod(xxhash64(seed, i), n) + 1} in {@code loan_id} order, n being the sample's row count.
 * The content is a function of (sample, rows, seed) alone; {@code spark.range} with a fixed number
 * of slices makes the file layout one too: one file per {@link #ROWS_PER_FILE} rows, each holding a
 * contiguous range of ids. Datasets are written once into a cache directory and reused.
 */
public final class BenchData {

  /** The sample the benchmark resamples. */
  public static final String SAMPLE = "data-sample/lending_club.parquet";
  /** The default resampling seed. */
  public static final long SEED = 20_261_123L;
  /** Rows per Parquet file, like a data set written by a job with 64k-row output partitions. */
  public static final int ROWS_PER_FILE = 65_536;

  private BenchData() {}

  /**
   * The resampled dataset, not written: {@code loan_id} 1..rows followed by the sample's other
   * columns in the sample's order.
   */
  public static Dataset<Row> resample(SparkSession spark, String sample, long rows, long seed) {
    return resample(spark, sample, rows, seed, ROWS_PER_FILE);
  }

  static Dataset<Row> resample(SparkSession spark, String sample, long rows, long seed, int rowsPerFile) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be at least 1, got " + rows);
    }
    Dataset<Row> source = spark.read().parquet(sample);
    List<Column> columns = new ArrayList<>();
    columns.add(col("loan_id"));
    for (String name : source.columns()) {
      if (!name.equals("loan_id")) {
        columns.add(col("`" + name + "`"));
      }
    }
    // Number the sample rows 1..n in loan_id order, whatever its ids are: the sample is small, so
    // its ids go through the driver (a window without partitions would do it too, with a warning).
    List<Row> index = new ArrayList<>();
    List<Row> sortedIds = source.select(col("loan_id").cast("long")).orderBy("loan_id").collectAsList();
    for (int i = 0; i < sortedIds.size(); i++) {
      index.add(RowFactory.create(i + 1L, sortedIds.get(i).getLong(0)));
    }
    StructType indexSchema = new StructType()
        .add("bench_src", DataTypes.LongType, false)
        .add("bench_sample_id", DataTypes.LongType, false);
    Dataset<Row> numbered = source
        .join(spark.createDataFrame(index, indexSchema), col("loan_id").cast("long").equalTo(col("bench_sample_id")))
        .drop("loan_id", "bench_sample_id");
    int slices = (int) Math.max(1, (rows + rowsPerFile - 1) / rowsPerFile);
    Dataset<Row> ids = spark.range(1, rows + 1, 1, slices).toDF("loan_id")
        .withColumn("bench_src", pmod(xxhash64(lit(seed), col("loan_id")), lit((long) index.size())).plus(1));
    return ids.join(broadcast(numbered), "bench_src").select(columns.toArray(new Column[0]));
  }

  /**
   * The dataset of {@code rows} rows in {@code cacheDir}, written first if it is not there yet.
   *
   * @return the Parquet directory
   */
  public static Path ensure(SparkSession spark, Path cacheDir, String sample, long rows, long seed) {
    return ensure(spark, cacheDir, sample, rows, seed, ROWS_PER_FILE);
  }

  static Path ensure(SparkSession spark, Path cacheDir, String sample, long rows, long seed, int rowsPerFile) {
    Path dir = cacheDir.resolve("lending_club_" + rows + "_seed" + seed + ".parquet");
    if (Files.isRegularFile(dir.resolve("_SUCCESS"))) {
      return dir;
    }
    deleteRecursively(dir);
    spark.sparkContext().setJobDescription("Benchmark data: " + rows + " rows");
    resample(spark, sample, rows, seed, rowsPerFile)
        .sortWithinPartitions("loan_id")
        .write()
        .mode(SaveMode.Overwrite)
        .parquet(dir.toString());
    spark.sparkContext().setJobDescription(null);
    return dir;
  }

  /** Deletes a file or directory tree if it exists. */
  public static void deleteRecursively(Path path) {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + path + ": " + e.getMessage(), e);
    }
  }
}
