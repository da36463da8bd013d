package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.attribution.aggregate.GlobalImportance;
import org.attribution.aggregate.TargetImportance;
import org.attribution.config.ExecutionConfig;
import org.attribution.config.InputConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigValidator;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.RowIds;
import org.attribution.data.Vocabularies;
import org.attribution.output.ImportanceTable;
import org.attribution.output.ManifestWriter;
import org.attribution.output.OutputLayout;
import org.attribution.output.RunInfo;
import org.attribution.output.RunManifest;

/**
 * Explains a model over a dataset and writes the results: the programmatic entry point, which the
 * command line uses too.
 *
 * <pre>{@code
 * AttributionResult result = AttributionJob.builder(spark)
 *     .config(JobConfigLoader.load(Path.of("conf/job.yaml"), Map.of()))
 *     .input(myDataset)          // optional: else read from the job file's input section
 *     .execute();
 * }</pre>
 *
 * <p>Everything that can be checked without running a Spark stage is checked first: the job file,
 * the input's schema against the features, and the model by a one-row dry run on the driver. Only
 * then does the job read data.
 */
public final class AttributionJob {

  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Bound on rows per method call: more only grows per-task memory for result rows. */
  static final int MAX_BATCH_ROWS = 8192;
  /** Bound on rows per model call: past this, larger calls stop paying off on CPU. */
  static final int MAX_EVALUATION_ROWS = 65_536;

  private final SparkSession spark;
  private final JobConfig config;
  private final Dataset<Row> providedInput;
  private final String runId;

  private AttributionJob(Builder builder) {
    this.spark = Objects.requireNonNull(builder.spark, "spark");
    this.config = JobConfigValidator.validate(Objects.requireNonNull(builder.config, "config"));
    this.providedInput = builder.input;
    this.runId = builder.runId != null ? builder.runId : newRunId(config.jobName());
  }

  /** Starts describing a job on {@code spark}. */
  public static Builder builder(SparkSession spark) {
    return new Builder(spark);
  }

  /** Collects a job's parts; used once. */
  public static final class Builder {
    private final SparkSession spark;
    private JobConfig config;
    private Dataset<Row> input;
    private String runId;

    private Builder(SparkSession spark) {
      this.spark = spark;
    }

    /** The job configuration (required); validated by {@link #execute()}. */
    public Builder config(JobConfig config) {
      this.config = config;
      return this;
    }

    /** Explains this dataset instead of reading the job file's input section. */
    public Builder input(Dataset<Row> input) {
      this.input = input;
      return this;
    }

    /** Names the run; a time-based id is generated when absent. */
    public Builder runId(String runId) {
      this.runId = runId;
      return this;
    }

    /**
     * Runs the job.
     *
     * @throws InvalidJobException when the configuration, input or model cannot work together
     */
    public AttributionResult execute() {
      return new AttributionJob(this).run();
    }
  }

  private AttributionResult run() {
    Instant started = Instant.now();
    Map<String, Long> timings = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    String previousGroup = spark.sparkContext().getLocalProperty("spark.jobGroup.id");
    spark.sparkContext().setJobGroup("spark-attribution-" + runId, "Attribution run " + runId, false);
    try {
      // Model problems are found before the input is touched: only vector features need the
      // data to know the model's input width.
      ModelArtifact artifact = ModelArtifact.read(config.model().path(), hadoopConf());
      Dataset<Row> vectorInput = config.features().vectorColumn() != null ? readNormalisedInput() : null;
      FeatureEncoder encoder = FeatureEncoder.build(
          config.features(), Vocabularies.read(config.features().vocabularyFile(), hadoopConf()),
          () -> vectorWidth(vectorInput));
      int threads = threadsPerTask(config.execution());
      ModelSpec modelSpec = new ModelSpec(config.model().name(), artifact.sha256(), config.model().output(),
          config.model().device(), encoder.width(), threads);
      int outputs = DryRun.check(modelSpec, artifact, config.target());
      Dataset<Row> input = vectorInput != null ? vectorInput : readNormalisedInput();
      StructType schema = input.schema();
      encoder.checkSchema(schema);
      timings.put("validate", elapsedMs(t0));

      long t1 = System.nanoTime();
      Column reason = encoder.rejectReason();
      Column rowId = RowIds.column(config.input().idColumn(), schema).as("row_id");
      List<Column> encodedSelect = new ArrayList<>();
      encodedSelect.add(rowId);
      encodedSelect.addAll(List.of(encoder.encodedColumns()));
      Dataset<Row> valid = input.filter(reason.isNull()).select(encodedSelect.toArray(new Column[0]));
      float[] baseline = Baselines.resolve(config.method(), encoder, valid);
      if (config.input().partitions() != null) {
        valid = valid.repartition(config.input().partitions());
      }
      timings.put("baseline", elapsedMs(t1));

      int maxEvaluationRows = maxEvaluationRows(config.execution(), encoder.width(), outputs);
      MethodFactory methods = new MethodFactory(config.method(), baseline, encoder.groups(), maxEvaluationRows);
      int batchRows = batchRows(config.execution(), maxEvaluationRows, methods.evaluationsPerRow());
      Broadcast<byte[]> bytes = spark.sparkContext().broadcast(
          artifact.bytes(), scala.reflect.ClassTag$.MODULE$.apply(byte[].class));
      List<String> features = encoder.playerNames();
      StructType resultSchema = ResultSchema.of(RowIds.type(config.input().idColumn(), schema), features);
      Dataset<Row> results = valid.mapPartitions(
          new ExplainPartition(bytes, modelSpec, encoder, methods, config.target(), batchRows),
          Encoders.row(resultSchema));

      OutputLayout layout = new OutputLayout(config.output().path());
      long t2 = System.nanoTime();
      spark.sparkContext().setJobDescription("Explaining rows with " + config.method().id());
      if (config.output().perRow()) {
        results.write().mode(SaveMode.Overwrite).parquet(layout.perRow());
        results = spark.read().parquet(layout.perRow());
      }
      List<TargetImportance> importance = GlobalImportance.compute(results, features);
      long attributeMs = elapsedMs(t2);
      timings.put("attribute", attributeMs);

      long t3 = System.nanoTime();
      spark.sparkContext().setJobDescription("Writing outputs");
      RunInfo run = new RunInfo(runId, config.jobName(), config.model().name(), artifact.sha256(), config.method().id());
      ImportanceTable.write(spark, run, importance, layout.globalImportance());
      input.withColumn("reject_reason", reason)
          .filter(col("reject_reason").isNotNull())
          .write().mode(SaveMode.Overwrite).parquet(layout.rejects());
      Dataset<Row> rejects = spark.read().parquet(layout.rejects());
      Map<String, Long> rejectReasons = new LinkedHashMap<>();
      for (Row r : rejects.groupBy("reject_reason").count().orderBy(desc("count"), col("reject_reason")).limit(20)
          .collectAsList()) {
        rejectReasons.put(r.getString(0), r.getLong(1));
      }
      long rejected = rejects.count();
      timings.put("write", elapsedMs(t3));
      timings.put("total", elapsedMs(t0));

      long resultRows = importance.stream().mapToLong(TargetImportance::rows).sum();
      long explained = config.target().mode().equals("all") ? resultRows / outputs : resultRows;
      RunManifest manifest = new RunManifest(
          runId, started.toString(), Instant.now().toString(), spark.version(), config,
          new RunManifest.Model(config.model().name(), artifact.path(), artifact.sha256(), artifact.bytes().length,
              encoder.width(), outputs, config.model().output()),
          features, encoder.width(),
          new RunManifest.Execution(batchRows, maxEvaluationRows, threads, baseline),
          new RunManifest.Rows(explained + rejected, explained, rejected, resultRows),
          rejectReasons, timings,
          attributeMs == 0 ? 0 : explained * 1000.0 / attributeMs,
          importance.stream().map(t -> new RunManifest.Completeness(
              t.target(), t.targetName(), t.meanAbsGap(), t.maxAbsGap(), t.meanAbsDelta())).toList(),
          outputs(layout));
      ManifestWriter.write(manifest, layout.manifest(), hadoopConf());
      return new AttributionResult(manifest, importance, layout);
    } finally {
      spark.sparkContext().clearJobGroup();
      if (previousGroup != null) {
        spark.sparkContext().setLocalProperty("spark.jobGroup.id", previousGroup);
      }
    }
  }

  private Map<String, String> outputs(OutputLayout layout) {
    Map<String, String> outputs = new LinkedHashMap<>();
    outputs.put("global_importance", layout.globalImportance());
    if (config.output().perRow()) {
      outputs.put("per_row", layout.perRow());
    }
    outputs.put("rejects", layout.rejects());
    outputs.put("manifest", layout.manifest());
    return outputs;
  }

  private Dataset<Row> readNormalisedInput() {
    return FeatureEncoder.normalise(readInput(), config.features());
  }

  private Dataset<Row> readInput() {
    if (providedInput != null) {
      return providedInput;
    }
    InputConfig in = config.input();
    try {
      if (in.table() != null) {
        return spark.table(in.table());
      }
      DataFrameReader reader = spark.read().format(in.format()).options(in.options());
      if (in.schema() != null) {
        reader = reader.schema(in.schema());
      }
      return reader.load(in.path());
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException) {
        String source = in.table() != null ? "table " + in.table() : in.path();
        throw new InvalidJobException("Cannot read input " + source + ": " + firstLine(e.getMessage()), e);
      }
      throw e;
    }
  }

  private int vectorWidth(Dataset<Row> input) {
    List<Row> first = input.select(org.apache.spark.sql.functions.size(col(config.features().vectorColumn())))
        .filter(col(config.features().vectorColumn()).isNotNull()).limit(1).collectAsList();
    if (first.isEmpty()) {
      throw new InvalidJobException("Cannot size vector feature '" + config.features().vectorColumn()
          + "': the input has no non-null value; give features.vector_names");
    }
    return first.get(0).getInt(0);
  }

  private int threadsPerTask(ExecutionConfig execution) {
    if (execution.threadsPerTask() != null) {
      return execution.threadsPerTask();
    }
    return Integer.parseInt(spark.sparkContext().getConf().get("spark.task.cpus", "1"));
  }

  /**
   * Rows per model call from the memory budget. The estimate per evaluated row counts the input,
   * its gradient, the method's interpolation buffers and activations of a few times the input
   * width; a model with much wider hidden layers needs a smaller budget or explicit batch rows.
   */
  static int maxEvaluationRows(ExecutionConfig execution, int width, int outputs) {
    long bytesPerRow = (long) Float.BYTES * (8L * width + 4L * outputs);
    long rows = execution.memoryBudgetMb() * 1024L * 1024L / bytesPerRow;
    return (int) Math.max(1, Math.min(MAX_EVALUATION_ROWS, rows));
  }

  static int batchRows(ExecutionConfig execution, int maxEvaluationRows, int evaluationsPerRow) {
    if (execution.batchRows() != null) {
      return execution.batchRows();
    }
    return Math.max(1, Math.min(MAX_BATCH_ROWS, maxEvaluationRows / evaluationsPerRow));
  }

  private org.apache.hadoop.conf.Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  private static String newRunId(String jobName) {
    return jobName.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + RUN_ID_TIME.format(Instant.now()) + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }
}
