package org.attribution.output;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code output.format: parquet}: every table is a directory {@code <root>/<table>/run_date=<date>/run_id=<id>/},
 * so each run adds its own partition and Spark, Hive or a BI tool reads the history as one table.
 * A commit renames the staged directories into place; a run id that exists already first has all
 * its partitions moved aside, in every table, and deleted once the new ones are in. Renames are
 * atomic on HDFS and local disks; on object stores they are copies, and a run that dies while
 * copying leaves part of a table visible (the table formats do not).
 */
final class ParquetTables implements TableSink {

  private final SparkSession spark;
  private final String root;
  private final Configuration conf;

  ParquetTables(SparkSession spark, String root, Configuration conf) {
    this.spark = spark;
    this.root = root;
    this.conf = conf;
  }

  /** Nothing to check beyond the directory, which {@link RunStore} checks for every format. */
  @Override
  public void check() {}

  @Override
  public void commit(String runId, LocalDate runDate, List<Staged> tables) {
    try {
      FileSystem fs = new Path(root).getFileSystem(conf);
      Path trash = new Path(root + "/_trash/" + runId + "-" + System.nanoTime());
      for (Staged staged : tables) {
        for (FileStatus old : glob(fs, location(staged.table()) + "/run_date=*/run_id=" + runId)) {
          RunStore.moveInto(fs, old.getPath(), new Path(trash, staged.table() + "/" + old.getPath().getParent().getName()));
        }
        if (staged.path() != null) {
          RunStore.moveInto(fs, new Path(staged.path()),
              new Path(location(staged.table()) + "/run_date=" + runDate + "/run_id=" + runId));
        }
      }
      fs.delete(trash, true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot commit run " + runId + " to " + root + ": " + e.getMessage(), e);
    }
  }

  @Override
  public Optional<Dataset<Row>> read(String table) {
    Path path = new Path(location(table));
    try {
      return path.getFileSystem(conf).exists(path) ? Optional.of(spark.read().parquet(path.toString()))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String location(String table) {
    return root + "/" + table;
  }

  @Override
  public String sqlName(String table) {
    return "parquet.`" + location(table) + "`";
  }


  private static FileStatus[] glob(FileSystem fs, String pattern) throws IOException {
    FileStatus[] found = fs.globStatus(new Path(pattern));
    return found == null ? new FileStatus[0] : found;
  }
}
