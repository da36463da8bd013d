package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.attribution.aggregate.ImportanceSummary;
import org.attribution.aggregate.PermutationSummary;
import org.attribution.config.PermutationImportanceConfig;
import org.attribution.config.TargetConfig;
import org.attribution.data.FeatureEncoder;
import org.attribution.method.PermutationImportance;
import org.attribution.method.PermutationMetric;
import org.attribution.model.ModelFunction;
import scala.Tuple2;

/**
 * Permutation importance's Spark side: permutes each player across the whole dataset, has the
 * executors evaluate the model on the permuted rows, and measures the metric per (repeat, player).
 *
 * <p><b>The permutation.</b> Repeat r pairs the k-th row in the dataset's fixed order (by row id,
 * ties broken by a hash of the row's encoded values and label) with the k-th row in the order of
 * {@code xxhash64(seed, r, row id)} (ties broken as before): a uniformly random permutation of the whole
 * dataset, drawn from the run seed and the repeat alone. Every player of repeat r is permuted by
 * the same permutation, each in its own copy of the rows. Rows that tie in both orders are equal
 * in every value, so which of them pairs with which changes nothing.
 *
 * <p><b>The metric.</b> The row values (see {@link PermutationMetric#rowValue}) are counted per
 * (repeat, player, value) and fed to the metric in ascending order of value, so the result does
 * not depend on partitioning, task order or retries, to the last bit.
 */
final class PermutationStage {

  /** Repeat and player of the rows as they are, unpermuted. */
  private static final int ORIGINAL = -1;

  private static final StructType VALUES = DataTypes.createStructType(List.of(
      DataTypes.createStructField("repeat", DataTypes.IntegerType, false),
      DataTypes.createStructField("player", DataTypes.IntegerType, false),
      DataTypes.createStructField("value", DataTypes.DoubleType, false),
      DataTypes.createStructField("positive", DataTypes.BooleanType, false)));

  private static final StructType METRICS = DataTypes.createStructType(List.of(
      DataTypes.createStructField("repeat", DataTypes.IntegerType, false),
      DataTypes.createStructField("player", DataTypes.IntegerType, false),
      DataTypes.createStructField("metric", DataTypes.DoubleType, false),
      DataTypes.createStructField("rows", DataTypes.LongType, false)));

  private PermutationStage() {}

  /**
   * The output a one-output metric reads: {@code target.class_index} when given, else the only
   * output, else (ROC AUC of a two-output classifier) output 1, the positive class.
   *
   * @throws IllegalArgumentException when none of these applies
   */
  static int scoredOutput(TargetConfig target, PermutationMetric metric, int outputs) {
    if (target.classIndex() != null) {
      return target.classIndex();
    }
    if (outputs == 1 || !metric.scoresOneOutput()) {
      return 0;
    }
    if (metric == PermutationMetric.ROC_AUC && outputs == 2) {
      return 1;
    }
    throw new IllegalArgumentException("Cannot compute " + metric.id() + " on a model with " + outputs
        + " outputs: say which output it scores with 'target.mode: class' and 'target.class_index'");
  }

  /**
   * Measures permutation importance.
   *
   * @param rows encoded rows, {@code (row_id, row_seed, encoded..., label)}, label a double
   * @param job what the executors need
   * @param seed the run seed
   * @param target the target settings, for the scored output's name
   */
  static ImportanceSummary run(SparkSession spark, Dataset<Row> rows, Evaluate job, long seed, TargetConfig target,
      List<String> players) {
    String[] names = rows.columns();
    Column[] all = Arrays.stream(names).map(n -> col(FeatureEncoder.quoted(n))).toArray(Column[]::new);
    Dataset<Row> keyed = rows.withColumn("_tie", xxhash64(Arrays.copyOfRange(all, 2, all.length)))
        .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<JavaRDD<Row>> values = new ArrayList<>();
      values.add(keyed.javaRDD().mapPartitions(job::original));
      for (int r = 0; r < job.config.repeats(); r++) {
        int repeat = r;
        values.add(pairs(keyed, seed, repeat).mapPartitions(pairs -> job.permuted(repeat, pairs)));
      }
      JavaRDD<Row> union = values.get(0);
      for (JavaRDD<Row> more : values.subList(1, values.size())) {
        union = union.union(more);
      }
      PermutationMetric metric = job.metric();
      Dataset<Row> counted = spark.createDataFrame(union, VALUES)
          .groupBy("repeat", "player", "value", "positive").count()
          .repartition(col("repeat"), col("player"))
          .sortWithinPartitions("repeat", "player", "value");
      List<Row> measured = spark.createDataFrame(counted.javaRDD().mapPartitions(
          (FlatMapFunction<Iterator<Row>, Row>) it -> measure(metric, it)), METRICS).collectAsList();
      return summarise(measured, metric, job.config.repeats(), job.scored, target, players);
    } finally {
      keyed.unpersist(false);
    }
  }

  /**
   * Repeat {@code repeat}'s permutation as (receiver, donor) pairs of rows.
   *
   * @param keyed rows with a {@code row_id} and a {@code _tie} column (a hash of the rest)
   */
  static JavaRDD<Tuple2<Row, Row>> pairs(Dataset<Row> keyed, long seed, int repeat) {
    JavaPairRDD<Long, Row> fixed = indexed(keyed.orderBy(col("row_id"), col("_tie")));
    JavaPairRDD<Long, Row> shuffled = indexed(keyed.orderBy(
        xxhash64(lit(seed), lit(repeat), col("row_id")), col("row_id"), col("_tie")));
    return fixed.join(shuffled).values();
  }

  private static JavaPairRDD<Long, Row> indexed(Dataset<Row> ordered) {
    return ordered.javaRDD().zipWithIndex().mapToPair(Tuple2::swap);
  }

  /** Streams one partition's sorted counts into one accumulator per (repeat, player). */
  private static Iterator<Row> measure(PermutationMetric metric, Iterator<Row> counts) {
    List<Row> out = new ArrayList<>();
    PermutationMetric.Accumulator accumulator = null;
    int repeat = 0;
    int player = 0;
    while (counts.hasNext()) {
      Row row = counts.next();
      if (accumulator == null || row.getInt(0) != repeat || row.getInt(1) != player) {
        if (accumulator != null) {
          out.add(RowFactory.create(repeat, player, accumulator.value(), accumulator.rows()));
        }
        accumulator = metric.accumulator();
        repeat = row.getInt(0);
        player = row.getInt(1);
      }
      accumulator.add(row.getDouble(2), row.getBoolean(3), row.getLong(4));
    }
    if (accumulator != null) {
      out.add(RowFactory.create(repeat, player, accumulator.value(), accumulator.rows()));
    }
    return out.iterator();
  }

  private static ImportanceSummary summarise(List<Row> measured, PermutationMetric metric, int repeats, int scored,
      TargetConfig target, List<String> players) {
    double original = Double.NaN;
    long rows = 0;
    double[][] permuted = new double[repeats][players.size()];
    for (double[] repeat : permuted) {
      Arrays.fill(repeat, Double.NaN);
    }
    for (Row row : measured) {
      if (row.getInt(0) == ORIGINAL) {
        original = row.getDouble(2);
        rows = row.getLong(3);
      } else {
        permuted[row.getInt(0)][row.getInt(1)] = row.getDouble(2);
      }
    }
    String name = metric.scoresOneOutput() ? target.nameOf(scored) : "all outputs";
    return PermutationSummary.of(metric, original, permuted, rows, scored, name, players);
  }

  /**
   * The executors' part: the model's row values of the rows as they are and permuted, a batch at
   * a time.
   *
   * @param config the method's settings
   * @param scored the output one-output metrics read
   * @param labelField where the label is in an encoded row
   */
  record Evaluate(Broadcast<byte[]> modelBytes, ModelSpec modelSpec, FeatureEncoder encoder,
      PermutationImportanceConfig config, int scored, int labelField, int batchRows, int maxEvaluationRows,
      TaskCounters counters) implements Serializable {

    PermutationMetric metric() {
      return PermutationMetric.fromId(config.metric());
    }

    /** The method over {@code model}: built on the driver too, so settings that do not fit fail there. */
    PermutationImportance method(ModelFunction model) {
      return new PermutationImportance(model, encoder.groups(), metric(), scored, maxEvaluationRows);
    }

    /** {@code (ORIGINAL, ORIGINAL, value, positive)} of each row. */
    Iterator<Row> original(Iterator<Row> rows) {
      return new ValueRows(new Iterator<>() {
        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Tuple2<Row, Row> next() {
          return new Tuple2<>(rows.next(), null);
        }
      }, ORIGINAL);
    }

    /** {@code (repeat, player, value, positive)} of each (receiver, donor) pair and player. */
    Iterator<Row> permuted(int repeat, Iterator<Tuple2<Row, Row>> pairs) {
      return new ValueRows(pairs, repeat);
    }

    /** Evaluates a batch whenever the last one's values are handed out. */
    private final class ValueRows implements Iterator<Row> {
      private final Iterator<Tuple2<Row, Row>> pairs;
      private final int repeat;
      private final PermutationImportance method = method(ExplainPartition.taskModel(modelSpec, modelBytes, counters));
      private final int width = encoder.width();
      private final float[] inputs = new float[batchRows * width];
      private final float[] donors = new float[batchRows * width];
      private final double[] labels = new double[batchRows];
      private final boolean[] positive = new boolean[batchRows];
      private double[] values = new double[0];
      private int perRow = 1;
      private int next;

      ValueRows(Iterator<Tuple2<Row, Row>> pairs, int repeat) {
        this.pairs = pairs;
        this.repeat = repeat;
      }

      @Override
      public boolean hasNext() {
        while (next == values.length) {
          if (!pairs.hasNext()) {
            return false;
          }
          evaluateNextBatch();
        }
        return true;
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        int e = next++;
        return repeat == ORIGINAL ? RowFactory.create(ORIGINAL, ORIGINAL, values[e], positive[e])
            : RowFactory.create(repeat, e % perRow, values[e], positive[e / perRow]);
      }

      private void evaluateNextBatch() {
        int rows = 0;
        while (rows < batchRows && pairs.hasNext()) {
          Tuple2<Row, Row> pair = pairs.next();
          encoder.encode(pair._1(), 2, inputs, rows * width);
          if (pair._2() != null) {
            encoder.encode(pair._2(), 2, donors, rows * width);
          }
          labels[rows] = pair._1().getDouble(labelField);
          positive[rows] = method.metric().positive(labels[rows]);
          rows++;
        }
        float[] batch = Arrays.copyOf(inputs, rows * width);
        double[] batchLabels = Arrays.copyOf(labels, rows);
        if (repeat == ORIGINAL) {
          values = method.originalValues(batch, rows, batchLabels);
          perRow = 1;
          counters.rows().add(rows);
        } else {
          values = method.permutedValues(batch, Arrays.copyOf(donors, rows * width), rows, batchLabels);
          perRow = method.players();
        }
        next = 0;
      }
    }
  }
}
