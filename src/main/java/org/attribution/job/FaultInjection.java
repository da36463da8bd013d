package org.attribution.job;

import java.io.Serializable;
import org.apache.spark.TaskContext;
import org.apache.spark.sql.SparkSession;

/**
 * A test-only way to make a task fail part-way, to show that Spark's retry changes no number and
 * that a run which dies leaves every table as it was. Off unless the Spark setting
 * {@value #PARTITION} names a partition; {@value #ATTEMPTS} says how many attempts of it fail
 * (default 1: the first attempt fails, the retry succeeds).
 *
 * @param partition the partition whose task fails, or -1 for none
 * @param attempts how many attempts of that task fail
 */
record FaultInjection(int partition, int attempts) implements Serializable {

  static final String PARTITION = "spark.attribution.test.failPartition";
  static final String ATTEMPTS = "spark.attribution.test.failAttempts";

  /** The injection configured in the session, if any. */
  static FaultInjection from(SparkSession spark) {
    return new FaultInjection(Integer.parseInt(spark.conf().get(PARTITION, "-1")),
        Integer.parseInt(spark.conf().get(ATTEMPTS, "1")));
  }

  /** Fails the current task if it is a chosen attempt of the chosen partition. */
  void maybeFail(TaskContext task) {
    if (task != null && task.partitionId() == partition && task.attemptNumber() < attempts) {
      throw new IllegalStateException("Injected failure in partition " + partition + ", attempt "
          + task.attemptNumber() + " (" + PARTITION + ")");
    }
  }
}
