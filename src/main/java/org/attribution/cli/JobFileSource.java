package org.attribution.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.SparkConf;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;
import scala.Tuple2;

/**
 * Finds the job file the way a driver can see it in every deploy mode, before Spark starts.
 *
 * <p>In order: a local file (client mode; YARN and Kubernetes cluster mode, which put
 * {@code --files} in the driver's working directory); a Hadoop URI ({@code hdfs://},
 * {@code s3a://}, {@code file:/}); a file of that name shipped with {@code spark-submit --files}.
 * Standalone cluster mode needs the last: its driver's working directory holds only the jar.
 * The driver reads the shipped file from the URI in {@code spark.files}, the same place
 * {@code SparkFiles} would fetch it from once a SparkContext runs, so the job file is still
 * checked before any cluster resources are taken.
 */
final class JobFileSource {

  /** A URI scheme followed by a path: what Hadoop file systems take, and never a local path. */
  private static final Pattern URI = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+:/.*");

  private JobFileSource() {}

  /** Loads the job file named on the command line, with the Spark settings this JVM was started with. */
  static JobConfig load(String job, Map<String, String> overrides, Consumer<String> notes) {
    return load(job, overrides, notes, new SparkConf());
  }

  /**
   * Loads the job file named on the command line.
   *
   * @param job a local path, a Hadoop URI, or the name of a file shipped with {@code --files}
   * @param overrides as for {@link JobConfigLoader#load}
   * @param notes receives what the overrides changed beyond the keys they name (a switched method)
   * @param spark the Spark settings: {@code spark.files} and the {@code spark.hadoop.*} file system settings
   */
  static JobConfig load(String job, Map<String, String> overrides, Consumer<String> notes, SparkConf spark) {
    if (URI.matcher(job).matches()) {
      return JobConfigLoader.parse(read(job, job, spark), job, overrides, notes);
    }
    Path local = Path.of(job);
    if (!Files.exists(local) && local.getFileName() != null) {
      Optional<String> shipped = shipped(local.getFileName().toString(), spark);
      if (shipped.isPresent()) {
        return JobConfigLoader.parse(readShipped(job, shipped.get(), spark), job, overrides, notes);
      }
    }
    return JobConfigLoader.load(local, overrides, notes);
  }

  /** The URI in {@code spark.files} whose file name is {@code name}: where SparkFiles would fetch it from. */
  private static Optional<String> shipped(String name, SparkConf spark) {
    return Arrays.stream(spark.get("spark.files", "").split(","))
        .map(String::trim)
        .filter(uri -> !uri.isEmpty() && new org.apache.hadoop.fs.Path(uri).getName().equals(name))
        .findFirst();
  }

  private static String readShipped(String job, String uri, SparkConf spark) {
    try {
      return read(uri, job, spark);
    } catch (InvalidJobException e) {
      throw new InvalidJobException(e.getMessage() + " (shipped with --files as " + uri + ", which this driver"
          + " cannot read; in standalone cluster mode give the job file as a URI every node can read: hdfs://,"
          + " s3a:// or a shared mount)", e.getCause());
    }
  }

  private static String read(String uri, String job, SparkConf spark) {
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(uri);
    try (FileSystem fs = FileSystem.newInstance(path.toUri(), hadoopConf(spark));
        InputStream in = fs.open(path)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (FileNotFoundException e) {
      throw new InvalidJobException("Cannot read job file " + job + ": no such file");
    } catch (IOException e) {
      throw new InvalidJobException("Cannot read job file " + job + ": " + e.getMessage(), e);
    }
  }

  /** The Hadoop settings a SparkContext would build: the defaults plus every {@code spark.hadoop.*} setting. */
  private static Configuration hadoopConf(SparkConf spark) {
    Configuration conf = new Configuration();
    for (Tuple2<String, String> setting : spark.getAllWithPrefix("spark.hadoop.")) {
      conf.set(setting._1(), setting._2());
    }
    return conf;
  }
}
