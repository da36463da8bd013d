package org.attribution.job;

import java.io.Serializable;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * What the explain stage's tasks count for the driver: progress while they run, and the
 * manifest's figures once they end.
 *
 * @param rows explained rows, added per batch
 * @param evaluations model evaluations, added per model call
 * @param modelNanos time inside model calls
 * @param splits model calls split in two after running out of memory
 * @param sample the report's sampled rows ({@link ReportRows}), added when a task's input is done
 */
record TaskCounters(LongAccumulator rows, LongAccumulator evaluations, LongAccumulator modelNanos,
    LongAccumulator splits, CollectionAccumulator<ReportRows.Kept> sample) implements Serializable {

  /** New counters, registered with {@code spark}. */
  static TaskCounters register(SparkContext spark) {
    return new TaskCounters(spark.longAccumulator("explained rows"), spark.longAccumulator("model evaluations"),
        spark.longAccumulator("model call nanoseconds"), spark.longAccumulator("model call splits"),
        spark.collectionAccumulator("report sample"));
  }
}
