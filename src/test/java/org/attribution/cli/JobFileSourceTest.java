package org.attribution.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job file reaches the driver as a local path, a Hadoop URI, or a file shipped with --files. */
class JobFileSourceTest {

  @TempDir static Path dir;
  static Path file;

  @BeforeAll
  static void jobFile() throws Exception {
    file = Files.writeString(dir.resolve("shipped-job.yaml"), """
        job_name: from-%s
        input: {path: data/x.parquet}
        features: {columns: [a, b]}
        model: {path: m.pt}
        output: {path: out}
        """.formatted(dir.getFileName()));
  }

  private static SparkConf spark(String files) {
    return new SparkConf(false).set("spark.files", files);
  }

  @Test
  void aLocalPathIsReadAsBefore() {
    JobConfig config = JobFileSource.load(file.toString(), Map.of("seed", "7"), note -> { }, spark(""));
    assertEquals("from-" + dir.getFileName(), config.jobName());
    assertEquals(7, config.seed());
  }

  @Test
  void aHadoopUriIsReadThroughItsFileSystem() {
    JobConfig config = JobFileSource.load(file.toUri().toString(), Map.of(), note -> { }, spark(""));
    assertEquals("from-" + dir.getFileName(), config.jobName());
  }

  /** Standalone cluster mode: the driver's working directory has only the jar, spark.files the file's URI. */
  @Test
  void aFileShippedWithFilesIsReadFromWhereSparkFetchesIt() {
    JobConfig config = JobFileSource.load("shipped-job.yaml", Map.of(), note -> { },
         spark("file:/elsewhere/other.yaml, " + file.toUri()));
    assertEquals("from-" + dir.getFileName(), config.jobName());
  }

  @Test
  void aMissingFileKeepsItsMessage() {
    assertEquals("Cannot read job file nowhere/job.yaml: no such file", assertThrows(InvalidJobException.class,
        () -> JobFileSource.load("nowhere/job.yaml", Map.of(), note -> { }, spark(file.toUri().toString())))
        .getMessage());
    String uri = dir.resolve("gone.yaml").toUri().toString();
    assertEquals("Cannot read job file " + uri + ": no such file", assertThrows(InvalidJobException.class,
        () -> JobFileSource.load(uri, Map.of(), note -> { }, spark(""))).getMessage());
  }

  @Test
  void aShippedFileTheDriverCannotReadSaysWhere() {
    assertEquals("Cannot read job file gone.yaml: no such file (shipped with --files as file:/submitter/gone.yaml,"
        + " which this driver cannot read; in standalone cluster mode give the job file as a URI every node can"
        + " read: hdfs://, s3a:// or a shared mount)", assertThrows(InvalidJobException.class,
            () -> JobFileSource.load("gone.yaml", Map.of(), note -> { }, spark("file:/submitter/gone.yaml")))
            .getMessage());
  }
}
