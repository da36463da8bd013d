package org.attribution.testing;

import org.apache.spark.sql.SparkSession;

/**
 * One local Spark session for the whole test JVM: starting Spark costs seconds, and tests that
 * each start their own also fight over the same ports and temp dirs.
 */
public final class SparkTestSession {

  private static SparkSession session;

  private SparkTestSession() {}

  /** The shared session: local[2] with task retries, UI off, loopback only, few shuffle partitions. */
  public static synchronized SparkSession get() {
    if (session == null) {
      System.setProperty("log4j2.configurationFile", "conf/log4j2-local.properties");
      session = SparkSession.builder()
          // Up to 4 attempts per task, as on a cluster: retries are part of what the tests check.
          .master("local[2,4]")
          .appName("spark-attribution-tests")
          .config("spark.ui.enabled", "false")
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.sql.shuffle.partitions", "4")
          .config("spark.sql.session.timeZone", "UTC")
          // Running tasks report their accumulators with each heartbeat: often, so that a test of
          // progress within a task takes seconds, not tens of them.
          .config("spark.executor.heartbeatInterval", "1s")
          // Delta tables need its SQL extension and catalog, which only a new session can take.
          .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
          .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
          // Delta replays a table's log in 50 partitions by default: minutes of tiny tasks on 2 cores.
          .config("spark.databricks.delta.snapshotPartitions", "2")
          .getOrCreate();
      session.sparkContext().setLogLevel("WARN");
    }
    return session;
  }
}
