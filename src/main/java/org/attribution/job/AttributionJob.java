package org.attribution.job;

import org.attribution.output.ResultSchema;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.attribution.aggregate.Drift;
import org.attribution.aggregate.GlobalImportance;
import org.attribution.aggregate.ImportanceSummary;
import org.attribution.config.Defaults;
import org.attribution.config.DriftConfig;
import org.attribution.config.ExactShapleyConfig;
import org.attribution.config.ExecutionConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigValidator;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.RowIds;
import org.attribution.data.Vocabularies;
import org.attribution.method.CoalitionEvaluator;
import org.attribution.method.ExactShapley;
import org.attribution.model.DeviceChoice;
import org.attribution.model.ModelFunction;
import org.attribution.output.AuditTables;
import org.attribution.output.HtmlReport;
import org.attribution.output.ReportData;
import org.attribution.output.ManifestWriter;
import org.attribution.output.RunInfo;
import org.attribution.output.RunManifest;
import org.attribution.output.RunStore;

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

  private static final Logger LOG = LoggerFactory.getLogger(AttributionJob.class);

  private static final DateTimeFormatter RUN_ID_TIME =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** Bound on rows per method call: more only grows per-task memory for result rows. */
  static final int MAX_BATCH_ROWS = 8192;
  /** Bound on the budget's rows per model call: keeps one call's arrays to tens of MB. */
  static final int MAX_EVALUATION_ROWS = 65_536;

  private final SparkSession spark;
  private final JobConfig config;
  private final Dataset<Row> providedInput;
  private final String runId;

  private AttributionJob(Builder builder) {
    this.spark = Objects.requireNonNull(builder.spark, "spark");
    this.config = JobConfigValidator.validate(Objects.requireNonNull(builder.config, "config"));
    this.providedInput = builder.input;
    this.runId = RunStore.checkRunId(builder.runId != null ? builder.runId : newRunId(config.jobName()));
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
    spark.sparkContext().setJobGroup("spark-attribution-" + runId, "Attribution run " + runId, false);
    try (SqlSettings ignored = SqlSettings.apply(spark)) {
      RunStore store = new RunStore(config.output().path(), hadoopConf());
      store.checkOwnership();
      // Model problems are found before the input is touched: only vector features need the
      // data to know the model's input width.
      ModelArtifact artifact = ModelArtifact.read(config.model().path(), hadoopConf());
      JobInput vectorInput = config.features().vectorColumn() != null ? readInput() : null;
      FeatureEncoder encoder = FeatureEncoder.build(
          config.features(), Vocabularies.read(config.features().vocabularyFile(), hadoopConf()),
          () -> vectorWidth(vectorInput.rows()));
      int threads = threadsPerTask(config.execution());
      ModelSpec modelSpec = new ModelSpec(config.model().name(), artifact.sha256(), config.model().output(),
          config.model().device(), encoder.width(), threads);
      if (config.method() instanceof ExactShapleyConfig) {
        checkMethod(() -> ExactShapley.checkPlayers(encoder.groups().players()));
      }
      ModelFunction driverModel = DryRun.check(modelSpec, artifact, config.target());
      int outputs = driverModel.outputWidth();
      JobInput jobInput = (vectorInput != null ? vectorInput : readInput()).checked(encoder);
      Dataset<Row> input = jobInput.rows();
      StructType schema = input.schema();
      List<String> segments = config.segmentBy();
      segments.forEach(column -> requireColumn(schema, column, "segment_by"));
      if (input.isEmpty()) {
        throw new InvalidJobException("Cannot explain " + datasetName() + ": it has no rows");
      }
      timings.put("validate", elapsedMs(t0));

      long t1 = System.nanoTime();
      Column reason = jobInput.rejectReason(encoder);
      Column rowId = RowIds.column(config.input().idColumn(), schema);
      List<Column> encodedSelect = new ArrayList<>();
      encodedSelect.add(rowId.as("row_id"));
      // Every random choice for a row derives from this seed alone: it is a function of the run
      // seed and the row id, so partitioning, batching and retries cannot change a result.
      encodedSelect.add(xxhash64(lit(config.seed()), rowId).as("row_seed"));
      segments.forEach(column -> encodedSelect.add(col(quoted(column)).cast("string").as(column)));
      encodedSelect.addAll(List.of(encoder.encodedColumns()));
      Dataset<Row> valid = input.filter(reason.isNull()).select(encodedSelect.toArray(new Column[0]));
      float[] baseline = Baselines.resolve(config.method(), encoder, valid, 2 + segments.size());
      BackgroundSets.Built background = config.method().usesBackground()
          ? BackgroundSets.build(config.background(), config.seed(), encoder, valid.drop(segments.toArray(new String[0])),
              in -> JobInput.read(spark, in, config.features()).wellFormedRows())
          : null;
      valid = spread(valid);
      timings.put("baseline", elapsedMs(t1));

      int budgetRows = budgetRows(config.execution(), encoder.width(), outputs);
      int maxEvaluationRows = callRows(config.execution(), budgetRows, runsOnGpu());
      JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
      MethodFactory methods = new MethodFactory(config.method(), baseline,
          background == null ? null : jsc.broadcast(background.background()),
          background == null ? 0 : background.background().count(), encoder.groups(), maxEvaluationRows);
      checkMethod(() -> methods.create(driverModel));
      double[] baseValues = background == null ? null
          : new CoalitionEvaluator(driverModel, background.background(), encoder.groups(), maxEvaluationRows)
              .baseValues();
      int batchRows = batchRows(config.execution(), budgetRows, methods.evaluationsPerRow());
      Broadcast<byte[]> bytes = jsc.broadcast(artifact.bytes());
      List<String> features = encoder.playerNames();
      StructType resultSchema = ResultSchema.of(
          RowIds.type(config.input().idColumn(), schema), features, segments, methods.reportsStandardErrors());
      LongAccumulator explainedRows = spark.sparkContext().longAccumulator("explained rows");
      LongAccumulator modelNanos = spark.sparkContext().longAccumulator("model call nanoseconds");
      ExplainPartition explain = new ExplainPartition(bytes, modelSpec, encoder, methods, config.target(), batchRows,
          segments.size(), explainedRows, modelNanos, FaultInjection.from(spark), config.execution().memoryBudgetMb());

      store.clearStaging(runId);
      long t2 = System.nanoTime();
      spark.sparkContext().setJobDescription("Explaining rows with " + config.method().id());
      ImportanceSummary importance;
      Dataset<Row> perRowTable = null;
      int interval = config.execution().progressSeconds();
      // Cheap for Parquet and tables (row counts are in the metadata); it also spares the rejects
      // pass a scan of the whole input when every row was explained.
      long inputRows = input.count();
      try (Progress progress = Progress.start(explainedRows, interval > 0 ? inputRows : 0, interval, System.err)) {
        if (config.output().perRow()) {
          valid.mapPartitions(explain, Encoders.row(resultSchema))
              .write().mode(SaveMode.Overwrite).parquet(store.staged(runId, "per_row"));
          perRowTable = spark.read().parquet(store.staged(runId, "per_row"));
          importance = GlobalImportance.compute(perRowTable, features, segments, config.segmentMinRows());
        } else {
          // Without a per-row table, tasks hand back statistics only: no result row is built.
          importance = GlobalImportance.summarise(
              GlobalImportance.mergeByGroup(valid.javaRDD().mapPartitions(explain::summarise)),
              features, segments, config.segmentMinRows());
        }
      }
      long attributeMs = elapsedMs(t2);
      timings.put("attribute", attributeMs);

      long t3 = System.nanoTime();
      spark.sparkContext().setJobDescription("Writing outputs");
      RunInfo run = new RunInfo(runId, started, config.jobName(), datasetName(), config.model().name(),
          artifact.sha256(), config.method().id());
      write(AuditTables.importanceRows(run, importance.rows()), AuditTables.IMPORTANCE,
          store.staged(runId, "global_importance"));
      Drift.Result drift = compareWithEarlierRun(store, importance);
      if (drift != null) {
        write(AuditTables.driftRows(run, drift.summary(), drift.rows()), AuditTables.DRIFT, store.staged(runId, "drift"));
      }
      long resultRows = importance.resultRows();
      long perRow = config.target().mode().equals("all") ? outputs : 1;
      long explained = (resultRows + importance.nonFiniteRows()) / perRow;
      Dataset<Row> rejectRows = input.withColumn("reject_reason", reason);
      if (explained == inputRows) {
        // Every row was explained, so none is rejected: an empty table, without reading the input.
        rejectRows = spark.createDataFrame(List.of(), rejectRows.schema());
      } else {
        rejectRows = rejectRows.filter(col("reject_reason").isNotNull());
      }
      rejectRows.write().mode(SaveMode.Overwrite).parquet(store.staged(runId, "rejects"));
      Dataset<Row> rejects = spark.read().parquet(store.staged(runId, "rejects"));
      Map<String, Long> rejectReasons = new LinkedHashMap<>();
      long rejected = 0;
      if (explained != inputRows) {
        for (Row r : rejects.groupBy("reject_reason").count().orderBy(desc("count"), col("reject_reason")).limit(20)
            .collectAsList()) {
          rejectReasons.put(r.getString(0), r.getLong(1));
        }
        rejected = rejects.count();
      }
      // The per-row table, when written, has the ids in a column of their own: far cheaper to
      // read than filtering and encoding the input again.
      long duplicateIds = duplicateIds(input.select(rowId.as("row_id")), explained + rejected,
          perRowTable != null ? perRowTable : valid, explained);
      checkRejects(rejected, explained, store.staged(runId, "rejects"));
      timings.put("write", elapsedMs(t3));
      timings.put("total", elapsedMs(t0));

      RunManifest manifest = new RunManifest(
          AuditTables.SCHEMA_VERSION, runId, datasetName(), started.toString(), Instant.now().toString(), spark.version(),
          config,
          new RunManifest.Model(config.model().name(), artifact.path(), artifact.sha256(), artifact.bytes().length,
              encoder.width(), outputs, config.model().output()),
          features, encoder.width(),
          new RunManifest.Execution(batchRows, maxEvaluationRows, threads, methods.evaluationsPerRow(), baseline),
          background == null ? null : new RunManifest.BackgroundSummary(background.source(), background.requested(),
              background.background().count(), baseValues),
          new RunManifest.Rows(explained + rejected, explained, rejected, resultRows, importance.nonFiniteRows(),
              duplicateIds),
          rejectReasons, timings,
          attributeMs == 0 ? 0 : explained * 1000.0 / attributeMs,
          modelNanos.value() / 1e9,
          importance.quality().stream().map(q -> new RunManifest.Completeness(q.target(), q.targetName(),
              q.stats().meanAbsGap(), q.stats().maxAbsGap(), q.stats().meanAbsDelta())).toList(),
          drift == null ? null : drift.summary(),
          outputs(store));
      HtmlReport.write(ReportData.of(manifest, importance.rows(), drift == null ? null : drift.rows()),
          store.stagedReport(runId), hadoopConf());
      String manifestJson = ManifestWriter.toJson(manifest);
      ManifestWriter.write(manifestJson, store.stagedManifest(runId), hadoopConf());
      write(List.of(AuditTables.runRow(run, manifest, importance.quality(), drift == null ? null : drift.summary(),
          manifestJson)), AuditTables.RUNS, store.staged(runId, "runs"));
      store.commit(runId, started.atZone(ZoneOffset.UTC).toLocalDate());
      return new AttributionResult(runId, manifest, importance, drift, store);
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * Repartitions as configured, or else spreads an input of fewer partitions than the cluster
   * runs tasks over all of them: a small file is one partition, and explaining is expensive
   * enough per row that the shuffle pays for itself many times over.
   */
  private Dataset<Row> spread(Dataset<Row> rows) {
    if (config.input().partitions() != null) {
      return rows.repartition(config.input().partitions());
    }
    int parallelism = spark.sparkContext().defaultParallelism();
    return rows.rdd().getNumPartitions() < parallelism ? rows.repartition(parallelism) : rows;
  }

  /**
   * Rows whose id another explained row has too. They are explained all the same (each is a row
   * of the data), but a per-row table keyed by id is then ambiguous, so the manifest says so.
   *
   * <p>The explained rows are part of the input, so when no id repeats in the whole input (the
   * usual case, and one that reads the id column alone) none repeats among them, and the count
   * over the explained rows, which filters and encodes the input again, is skipped.
   *
   * @param inputIds every input row's id, as {@code row_id}
   * @param inputRows how many rows the input has
   * @param withIds the explained rows, or their per-row results, with a {@code row_id} column
   * @param explained how many rows were explained
   */
  private long duplicateIds(Dataset<Row> inputIds, long inputRows, Dataset<Row> withIds, long explained) {
    spark.sparkContext().setJobDescription("Counting duplicate row ids");
    if (distinctIds(inputIds) == inputRows) {
      return 0;
    }
    long duplicates = explained - distinctIds(withIds);
    if (duplicates > 0) {
      LOG.warn("{} explained rows share their row id with another row", duplicates);
    }
    return duplicates;
  }

  private static long distinctIds(Dataset<Row> withIds) {
    return withIds.agg(countDistinct(col("row_id"))).first().getLong(0);
  }

  /**
   * Refuses a run that rejected too much of its input. Nothing is committed, so every table keeps
   * its previous state, but the rejected rows stay in staging for inspection.
   */
  private void checkRejects(long rejected, long explained, String rejectsPath) {
    long read = rejected + explained;
    double share = read == 0 ? 0 : (double) rejected / read;
    if (explained == 0 || share > config.input().maxRejectShare()) {
      throw new InvalidJobException(String.format(
          "Cannot accept this run: %,d of %,d rows (%.1f%%) were rejected, more than input.max_reject_share (%.1f%%);"
              + " the rejected rows and their reasons are in %s", rejected, read, 100 * share,
          100 * config.input().maxRejectShare(), rejectsPath));
    }
  }

  /** Drift against the configured earlier run; null for the first run of an audit. */
  private Drift.Result compareWithEarlierRun(RunStore store, ImportanceSummary importance) {
    DriftConfig drift = config.drift();
    String earlier;
    if (drift.compareTo().equals(Defaults.DRIFT_COMPARE_TO)) {
      earlier = store.previousRun(spark, config.jobName(), runId).orElse(null);
      if (earlier == null) {
        return null;
      }
    } else {
      earlier = drift.compareTo();
      if (!store.hasRun(spark, earlier)) {
        throw new InvalidJobException("Cannot compare with run '" + earlier + "': no such run in "
            + store.table("runs"));
      }
    }
    return Drift.compare(earlier, store.overallImportance(spark, earlier), importance.rows(), drift.topK(),
        drift.maxRankDisagreement(), drift.maxSignificantChanges());
  }

  private void write(List<Row> rows, StructType schema, String path) {
    spark.createDataFrame(rows, schema).coalesce(1).write().mode(SaveMode.Overwrite).parquet(path);
  }

  private String datasetName() {
    if (providedInput != null) {
      return config.input() != null && config.input().path() != null ? config.input().path() : "dataframe";
    }
    return config.input().table() != null ? config.input().table() : config.input().path();
  }

  private Map<String, String> outputs(RunStore store) {
    Map<String, String> outputs = new LinkedHashMap<>();
    for (String table : RunStore.TABLES) {
      outputs.put(table, store.table(table));
    }
    outputs.put("manifest", store.manifest(runId));
    outputs.put("report", store.report(runId));
    return outputs;
  }

  private static void requireColumn(StructType schema, String column, String key) {
    if (!java.util.Arrays.asList(schema.fieldNames()).contains(column)) {
      throw new InvalidJobException("Cannot use " + key + " column '" + column + "': no such column in the input"
          + " (columns: " + String.join(", ", schema.fieldNames()) + ")");
    }
  }

  private static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  private JobInput readInput() {
    return providedInput != null ? JobInput.of(providedInput, config.features())
        : JobInput.read(spark, config.input(), config.features());
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
   * The most rows per model call the memory budget allows. The estimate per evaluated row counts
   * the input, its gradient, the method's interpolation buffers and activations of a few times the
   * input width; a model with much wider hidden layers needs a smaller budget or explicit batch
   * rows.
   */
  static int budgetRows(ExecutionConfig execution, int width, int outputs) {
    long bytesPerRow = (long) Float.BYTES * (8L * width + 4L * outputs);
    long rows = execution.memoryBudgetMb() * 1024L * 1024L / bytesPerRow;
    return (int) Math.max(1, Math.min(MAX_EVALUATION_ROWS, rows));
  }

  /**
   * Rows per model call: as configured, else {@link Defaults#CPU_CALL_ROWS} on the CPU and the
   * budget's limit on a GPU; never more than the budget allows. Batches stay as large as the
   * budget allows either way, so that per-batch work (the predictions' forward pass, result rows)
   * is spread over many rows.
   */
  static int callRows(ExecutionConfig execution, int budgetRows, boolean gpu) {
    int wanted = execution.callRows() != null ? execution.callRows() : gpu ? budgetRows : Defaults.CPU_CALL_ROWS;
    return Math.min(wanted, budgetRows);
  }

  /**
   * Whether tasks will run the model on a GPU: asked for, or left to the task ({@code auto}) with
   * Spark scheduling GPUs to tasks. An {@code auto} task whose engine sees no GPU runs on the CPU
   * with GPU-sized calls, which is slower but computes the same values.
   */
  private boolean runsOnGpu() {
    DeviceChoice choice = DeviceChoice.fromId(config.model().device());
    return choice == DeviceChoice.GPU
        || choice == DeviceChoice.AUTO && spark.conf().getOption("spark.task.resource.gpu.amount").isDefined();
  }

  static int batchRows(ExecutionConfig execution, int budgetRows, long evaluationsPerRow) {
    if (execution.batchRows() != null) {
      return execution.batchRows();
    }
    return (int) Math.max(1, Math.min(MAX_BATCH_ROWS, budgetRows / evaluationsPerRow));
  }

  /** Runs a method's own checks on the driver, so settings that do not fit fail before any task. */
  private static void checkMethod(Runnable check) {
    try {
      check.run();
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(e.getMessage(), e);
    }
  }

  private org.apache.hadoop.conf.Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  private static String newRunId(String jobName) {
    return jobName.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + RUN_ID_TIME.format(Instant.now()) + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }
}
