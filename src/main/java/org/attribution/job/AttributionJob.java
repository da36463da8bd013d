package org.attribution.job;

import org.attribution.output.ResultSchema;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.attribution.aggregate.Drift;
import org.attribution.aggregate.FitQuality;
import org.attribution.aggregate.SamplingEffort;
import org.attribution.aggregate.GlobalImportance;
import org.attribution.aggregate.ImportanceSummary;
import org.attribution.config.Defaults;
import org.attribution.config.DriftConfig;
import org.attribution.config.ExactShapleyConfig;
import org.attribution.config.ExecutionConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigValidator;
import org.attribution.config.PermutationImportanceConfig;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.RowIds;
import org.attribution.data.Vocabularies;
import org.attribution.method.CoalitionEvaluator;
import org.attribution.method.ExactShapley;
import org.attribution.method.PermutationMetric;
import org.attribution.model.DeviceChoice;
import org.attribution.model.GradientCheck;
import org.attribution.model.InputShape;
import org.attribution.model.TorchScriptModel;
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

  /**
   * The run, phase by phase: each phase takes what the earlier ones established, and nothing is
   * visible in the output until the last.
   */
  private AttributionResult run() {
    Instant started = Instant.now();
    Map<String, Long> timings = new LinkedHashMap<>();
    long t0 = System.nanoTime();
    spark.sparkContext().setJobGroup(jobGroup(), "Attribution run " + runId, false);
    try (SqlSettings ignored = SqlSettings.apply(spark)) {
      Checked checked = timed(timings, "validate", this::validate);
      Prepared prepared = timed(timings, "baseline", () -> prepare(checked));
      Explained explained = timed(timings, "attribute", () -> explain(checked, prepared));
      try {
        QualityPass.Result quality = timed(timings, "quality", () -> QualityPass.run(jsc(), prepared.valid(),
            checked.inputRows(), config.quality(), explained.counters().sample().value(), prepared.modelBytes(),
            checked.modelSpec(), checked.encoder(), prepared.methods(), config.target(),
            prepared.plan().concurrentTasks()));
        Written written = timed(timings, "write", () -> write(started, checked, prepared, explained, quality));
        timings.put("total", elapsedMs(t0));
        return commit(started, timings, checked, prepared, explained, written);
      } finally {
        explained.release();
      }
    } finally {
      spark.sparkContext().clearJobGroup();
    }
  }

  /**
   * What the validate phase established, without reading a row: the output location, the model,
   * the features and the input's schema all fit.
   */
  private record Checked(RunStore store, ModelArtifact artifact, FeatureEncoder encoder, int threads,
      ModelSpec modelSpec, TorchScriptModel driverModel, JobInput jobInput, long[] partitionRows) {

    long inputRows() {
      return LongStream.of(partitionRows).sum();
    }

    /** The input's rows, with the malformed-line column for CSV input. */
    Dataset<Row> input() {
      return jobInput.rows();
    }
  }

  /**
   * Checks everything that can fail before the data is explained: the output directory, the model
   * by a one-row dry run on the driver, the input's columns, and that the input has rows. Model
   * problems are found before the input is touched: only vector features need the data to know
   * the model's input width.
   */
  private Checked validate() {
    RunStore store = new RunStore(config.output(), spark, hadoopConf());
    store.checkOwnership();
    store.checkWritable(runId);
    store.checkTables();
    ModelArtifact artifact = ModelArtifact.read(config.model().path(), hadoopConf());
    JobInput vectorInput = config.features().vectorColumn() != null ? readInput() : null;
    FeatureEncoder encoder = FeatureEncoder.build(
        config.features(), Vocabularies.read(config.features().vocabularyFile(), hadoopConf()),
        () -> vectorWidth(vectorInput.rows()), config.model().inputShape());
    int threads = threadsPerTask(config.execution());
    ModelSpec modelSpec = new ModelSpec(config.model().name(), artifact.sha256(), config.model().output(),
        config.model().device(), encoder.width(), threads, config.model().inputShape() == null
            ? InputShape.flat(encoder.width()) : new InputShape(config.model().inputShape()));
    if (config.method() instanceof ExactShapleyConfig exact) {
      checkMethod(() -> ExactShapley.checkPlayers(encoder.groups().players(), exact.maxPlayers()));
    }
    TorchScriptModel driverModel = DryRun.check(modelSpec, artifact, config.target());
    checkMethod(() -> MethodFactory.checkModel(config.method(), driverModel));
    JobInput jobInput = (vectorInput != null ? vectorInput : readInput()).checked(encoder);
    Dataset<Row> input = jobInput.rows();
    StructType schema = input.schema();
    config.segmentBy().forEach(column -> requireColumn(schema, column, "segment_by"));
    if (config.target().labelColumn() != null) {
      requireColumn(schema, config.target().labelColumn(), "target.label_column");
    }
    // Cheap for Parquet and tables (row counts are in the metadata); the plan and progress need
    // it, it spares the rejects pass a scan of the whole input when every row was explained, and
    // the rows per partition tell whether the input needs splitting to keep every slot busy.
    long[] partitionRows = ExplainLayout.partitionRows(input);
    if (LongStream.of(partitionRows).sum() == 0) {
      throw new InvalidJobException("Cannot explain " + datasetName() + ": it has no rows");
    }
    return new Checked(store, artifact, encoder, threads, modelSpec, driverModel, jobInput, partitionRows);
  }

  /**
   * What the prepare phase built for the executors.
   *
   * @param valid the encodable rows as {@code (row_id, row_seed, segments..., encoded...)}
   * @param rejectReason the encoder's reason to reject an input row, null for none
   * @param rowId the row id over the input's columns
   * @param callTimings per executor, the time per row of each call size its tasks timed; empty
   *     when none were timed
   */
  private record Prepared(Dataset<Row> valid, Column rejectReason, Column rowId, float[] baseline,
      BackgroundSets.Built background, double[] baseValues, MethodFactory methods, int maxEvaluationRows,
      Map<String, Map<Integer, Double>> callTimings, int batchRows, int outputs, Plan plan,
      Broadcast<byte[]> modelBytes) {

    /** Per executor, the call size it explains with: the fastest of its timings. */
    Map<String, Integer> executorCallRows() {
      return CallCalibration.fastest(callTimings);
    }

    /** Rows per model call in the explain stage: the executors' most common choice, else the configured size. */
    int explainCallRows() {
      return CallCalibration.mostCommon(executorCallRows(), maxEvaluationRows);
    }
  }

  /**
   * Encodes the input, resolves the IG baseline or the SHAP background, builds the method (once on
   * the driver, so that settings that do not fit fail here), plans the explain stage, refusing a
   * plan over {@code execution.max_evaluations}, and checks the model on the executors.
   */
  private Prepared prepare(Checked checked) {
    FeatureEncoder encoder = checked.encoder();
    List<String> segments = config.segmentBy();
    StructType schema = checked.input().schema();
    Column reason = checked.jobInput().rejectReason(encoder);
    String label = config.target().labelColumn();
    if (label != null) {
      reason = coalesce(reason, when(col(FeatureEncoder.quoted(label)).cast("double").isNull()
          .or(isnan(col(FeatureEncoder.quoted(label)).cast("double"))), lit("label is missing or not a number")));
    }
    Column rowId = RowIds.column(config.input().idColumn(), schema);
    List<Column> encodedSelect = new ArrayList<>();
    encodedSelect.add(rowId.as("row_id"));
    // Every random choice for a row derives from this seed alone: it is a function of the run
    // seed and the row id, so partitioning, batching and retries cannot change a result.
    encodedSelect.add(xxhash64(lit(config.seed()), rowId).as("row_seed"));
    segments.forEach(column -> encodedSelect.add(col(FeatureEncoder.quoted(column)).cast("string").as(column)));
    encodedSelect.addAll(List.of(encoder.encodedColumns()));
    if (label != null) {
      encodedSelect.add(col(FeatureEncoder.quoted(label)).cast("double").as("label"));
    }
    Dataset<Row> valid = checked.input().filter(reason.isNull()).select(encodedSelect.toArray(new Column[0]));
    float[] baseline = Baselines.resolve(config.method(), encoder, valid, 2 + segments.size());
    double[] noiseScale = Baselines.noiseScale(config.method(), encoder, valid, 2 + segments.size());
    BackgroundSets.Built background = config.method().usesBackground()
        ? BackgroundSets.build(config.background(), config.seed(), encoder, valid.drop(segments.toArray(new String[0])),
            in -> JobInput.read(spark, in, config.features()).wellFormedRows())
        : null;

    TorchScriptModel driverModel = checked.driverModel();
    int outputs = driverModel.outputWidth();
    int budgetRows = budgetRows(config.execution(), encoder.width(), outputs,
        driverModel.inputType().getNumOfBytes());
    int maxEvaluationRows = callRows(config.execution(), budgetRows, runsOnGpu());
    // Shipped with the background, so that no executor computes its own last bit (Background#baseValues).
    double[] baseValues = background == null ? null
        : new CoalitionEvaluator(driverModel, background.background(), encoder.groups(), maxEvaluationRows)
            .baseValues();
    MethodFactory methods = new MethodFactory(config.method(), baseline,
        background == null ? null : jsc().broadcast(background.background().withBaseValues(baseValues)),
        background == null ? 0 : background.background().count(), encoder.groups(), maxEvaluationRows, noiseScale);
    checkMethod(() -> methods.check(driverModel));
    float[] probeRows = methods.usesGradients() ? probeRows(valid, encoder, 2 + segments.size()) : null;
    if (probeRows != null) {
      String problem = GradientCheck.problem(driverModel, probeRows, probeRows.length / encoder.width());
      if (problem != null) {
        throw new InvalidJobException("Cannot trust the model's gradients on the driver: " + problem);
      }
    }
    int batchRows = batchRows(config.execution(), budgetRows, methods.evaluationsPerRow());
    int slots = Math.max(1, spark.sparkContext().defaultParallelism() / checked.threads());
    Layout layout = spread(valid, checked.partitionRows(), slots, batchRows);
    valid = layout.rows();
    int tasks = layout.tasks();
    Plan plan = new Plan(checked.inputRows(), config.target().mode().equals("all") ? outputs : 1,
        methods.evaluationsPerRow(), Plan.measureSpeed(driverModel, methods.usesGradients(), maxEvaluationRows),
        Math.min(slots, tasks));
    plan.check(config.execution().maxEvaluations(), config.method().id());
    if (config.execution().progressSeconds() > 0) {
      System.err.println(plan.describe(config.method().id()));
    }
    Broadcast<byte[]> modelBytes = jsc().broadcast(checked.artifact().bytes());
    // On the CPU, unless the job file sets it, each executor runs the call size it measures fastest.
    boolean measure = config.execution().callRows() == null && !runsOnGpu();
    Map<String, Map<Integer, Double>> callTimings = ExecutorPreflight.check(spark, modelBytes, checked.modelSpec(),
        slots, probeRows,
        measure
            ? new CallCalibration.Request(methods.usesGradients(), budgetRows, plan.evaluations() / Math.max(1, tasks))
            : null);
    return new Prepared(valid, reason, rowId, baseline, background, baseValues, methods, maxEvaluationRows,
        callTimings, batchRows, outputs, plan, modelBytes);
  }

  /**
   * What the explain stage produced.
   *
   * @param perRowTable the staged per-row table; null when not written
   * @param modelRejects (row id, reason) of rows with results that are not finite; null for none
   * @param summaries the tasks' results, kept until the model rejects are written; null with a
   *     per-row table or without model rejects
   * @param counters what the tasks counted
   */
  private record Explained(ImportanceSummary importance, Dataset<Row> perRowTable, Dataset<Row> modelRejects,
      JavaRDD<ExplainPartition.Summary> summaries, TaskCounters counters, List<FitQuality> fits,
      SamplingEffort effort) {

    void release() {
      if (summaries != null) {
        summaries.unpersist(false);
      }
    }
  }

  /**
   * Explains every valid row on the executors. Without the per-row table, tasks hand back
   * statistics only and no result row is built.
   */
  private Explained explain(Checked checked, Prepared prepared) {
    FeatureEncoder encoder = checked.encoder();
    List<String> features = encoder.playerNames();
    List<String> segments = config.segmentBy();
    DataType idType = RowIds.type(config.input().idColumn(), checked.input().schema());
    MethodFactory methods = prepared.methods();
    StructType resultSchema = ResultSchema.of(idType, features, segments, methods.reportsStandardErrors(),
        methods.reportsFit(), methods.reportsEffort());
    TaskCounters counters = TaskCounters.register(spark.sparkContext());
    ExplainPartition explain = new ExplainPartition(prepared.modelBytes(), checked.modelSpec(), encoder,
        methods, prepared.executorCallRows(), config.target(), prepared.batchRows(), segments.size(),
        counters,
        FaultInjection.from(spark), config.execution().memoryBudgetMb(),
        Math.min(1.0, (double) config.report().sampleRows() / Math.max(1, checked.inputRows())));

    RunStore store = checked.store();
    store.clearStaging(runId);
    spark.sparkContext().setJobDescription("Explaining rows with " + config.method().id());
    if (config.method().global()) {
      return new Explained(measureGlobally(checked, prepared, counters), null, null, null, counters, null, null);
    }
    try (Progress progress = Progress.start(spark.sparkContext(), counters, prepared.plan(),
        config.execution().progressSeconds(), System.err)) {
      if (config.output().perRow()) {
        prepared.valid().mapPartitions(explain, Encoders.row(resultSchema))
            .write().mode(SaveMode.Overwrite).parquet(store.staged(runId, "per_row"));
        Dataset<Row> perRowTable = spark.read().parquet(store.staged(runId, "per_row"));
        ImportanceSummary importance = GlobalImportance.compute(perRowTable, features, segments,
            config.segmentMinRows());
        Dataset<Row> modelRejects = importance.nonFiniteRows() == 0 ? null
            : ModelRejects.fromResults(spark, perRowTable, features, idType);
        return new Explained(importance, perRowTable, modelRejects, null, counters,
            methods.reportsFit() ? FitQuality.fromResults(perRowTable) : null,
            methods.reportsEffort()
                ? SamplingEffort.fromResults(perRowTable, methods.targetError(), methods.evaluationsPerRow()) : null);
      }
      // The tasks' results are small (statistics per group, and the rows the model could not
      // explain); kept, so that writing the model's rejects does not explain every row again.
      JavaRDD<ExplainPartition.Summary> summaries = prepared.valid().javaRDD().mapPartitions(explain::summarise)
          .persist(StorageLevel.MEMORY_AND_DISK());
      ImportanceSummary importance = GlobalImportance.summarise(
          GlobalImportance.mergeByGroup(summaries.flatMap(s -> s.partials().iterator())),
          features, segments, config.segmentMinRows());
      List<FitQuality> fits = !methods.reportsFit() ? null
          : summaries.map(ExplainPartition.Summary::fits).fold(new FitQuality.Sums(), FitQuality.Sums::merge).quality();
      SamplingEffort effort = !methods.reportsEffort() ? null
          : summaries.map(ExplainPartition.Summary::effort).fold(new SamplingEffort.Sums(), SamplingEffort.Sums::merge)
              .effort(methods.targetError(), methods.evaluationsPerRow());
      if (importance.nonFiniteRows() == 0) {
        // No model rejects to write: nothing needs the kept results any longer.
        summaries.unpersist(false);
        return new Explained(importance, null, null, null, counters, fits, effort);
      }
      Dataset<Row> modelRejects = spark.createDataFrame(summaries.flatMap(s -> s.rejects().iterator()),
          ModelRejects.schema(idType));
      return new Explained(importance, null, modelRejects, summaries, counters, fits, effort);
    }
  }

  /** Runs a global method (permutation importance) over the encoded rows, as its own stage. */
  private ImportanceSummary measureGlobally(Checked checked, Prepared prepared, TaskCounters counters) {
    PermutationImportanceConfig permutation = (PermutationImportanceConfig) config.method();
    int scored = checkedValue(() -> PermutationStage.scoredOutput(config.target(),
        PermutationMetric.fromId(permutation.metric()), prepared.outputs()));
    Dataset<Row> rows = prepared.valid();
    PermutationStage.Evaluate evaluate = new PermutationStage.Evaluate(prepared.modelBytes(), checked.modelSpec(),
        checked.encoder(), permutation, scored, rows.schema().fieldIndex("label"), prepared.batchRows(),
        prepared.maxEvaluationRows(), counters);
    checkedValue(() -> evaluate.method(checked.driverModel()));
    try (Progress progress = Progress.start(spark.sparkContext(), counters, prepared.plan(),
        config.execution().progressSeconds(), System.err)) {
      return PermutationStage.run(spark, rows, evaluate, config.seed(), config.target(),
          checked.encoder().playerNames());
    }
  }

  /** What the write phase staged, besides the tables themselves. */
  private record Written(RunInfo run, Drift.Result drift, long explained, long rejected,
      Map<String, Long> rejectReasons, long duplicateIds, QualityPass.Staged quality) {}

  /**
   * Stages the importance, drift, quality and rejects tables, and refuses the run (nothing
   * committed) when it rejected too much of its input.
   */
  private Written write(Instant started, Checked checked, Prepared prepared, Explained explained,
      QualityPass.Result quality) {
    List<Thread> beside = new ArrayList<>();
    try {
      return write(started, checked, prepared, explained, quality, beside);
    } catch (RuntimeException | Error failure) {
      stop(beside);
      throw failure;
    }
  }

  /**
   * Cancels the run's Spark jobs and waits for the threads that started them: a failed run must
   * not go on writing to its staging area, or start jobs, after it has returned. A thread between
   * two jobs still starts its next one, and is waited for. What the threads fail with is not
   * reported: the failure being thrown is the run's.
   */
  private void stop(List<Thread> beside) {
    spark.sparkContext().cancelJobGroup(jobGroup());
    for (Thread thread : beside) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * The write phase. Its Spark jobs are small (a one-task write of a few rows, a pass over the
   * input's ids) and spend most of their time on the driver, planning and committing files, with
   * the task slots idle; so the ones that depend on nothing else run beside the rest, each in a
   * thread of its own ({@link #beside}). Run one after the other, the id count took 0.7 s of the
   * 1.7 s after a 25,000-row gradient SHAP benchmark job's explain stage.
   *
   * @param beside where the threads started beside this one are kept, for the caller to stop
   */
  private Written write(Instant started, Checked checked, Prepared prepared, Explained explained,
      QualityPass.Result quality, List<Thread> beside) {
    RunStore store = checked.store();
    ImportanceSummary importance = explained.importance();
    long inputRows = checked.inputRows();
    Dataset<Row> inputIds = checked.input().select(prepared.rowId().as("row_id"));
    FutureTask<Boolean> uniqueInputIds = beside(beside, "Counting duplicate row ids",
        () -> distinctIds(inputIds) == inputRows);
    RunInfo run = new RunInfo(runId, started, config.jobName(), datasetName(), config.model().name(),
        checked.artifact().sha256(), config.method().id());
    FutureTask<Boolean> importanceStaged = beside(beside, "Writing the importance table", () -> {
      write(AuditTables.importanceRows(run, importance.rows()), AuditTables.IMPORTANCE,
          store.staged(runId, "global_importance"));
      return true;
    });
    long perRow = config.target().mode().equals("all") ? prepared.outputs() : 1;
    long encoded = (importance.resultRows() + importance.nonFiniteRows()) / perRow;
    String rejectsPath = store.staged(runId, "rejects");
    FutureTask<Rejected> rejectedRows = beside(beside, "Writing the rejected rows",
        () -> stageRejects(checked, prepared, explained, encoded != inputRows, rejectsPath));
    spark.sparkContext().setJobDescription("Writing outputs");
    Drift.Result drift = compareWithEarlierRun(store, importance);
    if (drift != null) {
      write(AuditTables.driftRows(run, drift.summary(), drift.rows()), AuditTables.DRIFT, store.staged(runId, "drift"));
    }
    QualityPass.Staged qualityStaged = QualityPass.stage(quality, importance.quality(),
        drift == null ? null : drift.summary().previousRunId(), earlier -> store.quality(earlier));
    write(AuditTables.qualityRows(run, qualityStaged.targets(), qualityStaged.comparedToRun(),
        qualityStaged.changes()), AuditTables.QUALITY, store.staged(runId, "quality"));
    resultOf(importanceStaged);
    Rejected rejected = resultOf(rejectedRows);
    // The per-row table, when written, has the ids in a column of their own: far cheaper to read
    // than filtering and encoding the input again.
    long duplicateIds = duplicateIds(uniqueInputIds,
        explained.perRowTable() != null ? explained.perRowTable() : prepared.valid(), encoded);
    checkRejects(rejected.rows(), rejected.modelRows(), inputRows, rejectsPath);
    return new Written(run, drift, inputRows - rejected.rows(), rejected.rows(), rejected.reasons(), duplicateIds,
        qualityStaged);
  }

  /**
   * The rejected input rows, counted.
   *
   * @param reasons the rejected rows per reason, the 20 most common
   * @param rows all rejected rows
   * @param modelRows those of them that the model, not the input, could not explain
   */
  private record Rejected(Map<String, Long> reasons, long rows, long modelRows) {}

  /**
   * Stages the rejects table (the input rows that were not explained, with the reason) and counts
   * it.
   *
   * @param inputRejected whether the encoder rejected any input row
   */
  private Rejected stageRejects(Checked checked, Prepared prepared, Explained explained, boolean inputRejected,
      String rejectsPath) {
    Dataset<Row> rejectRows = ModelRejects.tag(checked.input()
        .withColumn("reject_row_id", prepared.rowId())
        .withColumn("reject_reason", prepared.rejectReason()), explained.modelRejects());
    boolean anyRejected = inputRejected || explained.modelRejects() != null;
    // Without rejects, an empty table, without reading the input again.
    rejectRows = anyRejected ? rejectRows.filter(col("reject_reason").isNotNull())
        : spark.createDataFrame(List.of(), rejectRows.schema());
    rejectRows.write().mode(SaveMode.Overwrite).parquet(rejectsPath);
    if (!anyRejected) {
      return new Rejected(Map.of(), 0, 0);
    }
    Dataset<Row> rejects = spark.read().parquet(rejectsPath);
    Map<String, Long> reasons = new LinkedHashMap<>();
    for (Row r : rejects.groupBy("reject_reason").count().orderBy(desc("count"), col("reject_reason")).limit(20)
        .collectAsList()) {
      reasons.put(r.getString(0), r.getLong(1));
    }
    Row counts = rejects.agg(count(lit(1)),
        sum(when(ModelRejects.isModelReason(col("reject_reason")), 1L).otherwise(0L))).first();
    return new Rejected(reasons, counts.getLong(0), counts.isNullAt(1) ? 0 : counts.getLong(1));
  }

  /**
   * Writes the manifest, the report and the run's row of {@code runs}, then makes the whole run
   * visible at once.
   */
  private AttributionResult commit(Instant started, Map<String, Long> timings, Checked checked, Prepared prepared,
      Explained explained, Written written) {
    RunStore store = checked.store();
    ImportanceSummary importance = explained.importance();
    Drift.Result drift = written.drift();
    ModelArtifact artifact = checked.artifact();
    long attributeMs = timings.get("attribute");
    BackgroundSets.Built background = prepared.background();
    RunManifest manifest = new RunManifest(
        AuditTables.SCHEMA_VERSION, runId, datasetName(), started.toString(), Instant.now().toString(), spark.version(),
        config,
        new RunManifest.Model(config.model().name(), artifact.path(), artifact.sha256(), artifact.bytes().length,
            checked.encoder().width(), checked.driverModel().inputType().toString(), prepared.outputs(),
            config.model().output()),
        checked.encoder().playerNames(), checked.encoder().width(),
        new RunManifest.Execution(prepared.batchRows(), prepared.explainCallRows(),
            prepared.executorCallRows().isEmpty() ? null : prepared.executorCallRows(),
            prepared.callTimings().isEmpty() ? null : prepared.callTimings(),
            checked.threads(),
            prepared.methods().evaluationsPerRow(), prepared.plan().evaluations(), prepared.plan().estimatedSeconds(),
            prepared.baseline()),
        background == null ? null : new RunManifest.BackgroundSummary(background.source(), background.requested(),
            background.background().count(), prepared.baseValues()),
        new RunManifest.Rows(checked.inputRows(), written.explained(), written.rejected(), importance.resultRows(),
            importance.nonFiniteRows(), written.duplicateIds()),
        written.rejectReasons(), timings,
        attributeMs == 0 ? 0 : written.explained() * 1000.0 / attributeMs,
        explained.counters().modelNanos().value() / 1e9,
        explained.counters().evaluations().value(),
        explained.counters().splits().value(),
        importance.quality().stream().map(q -> new RunManifest.Completeness(q.target(), q.targetName(),
            q.stats().meanAbsGap(), q.stats().maxAbsGap(), q.stats().meanAbsDelta())).toList(),
        explained.fits(),
        explained.effort(),
        drift == null ? null : drift.summary(),
        outputs(store),
        written.quality().manifest(config.quality(), timings.get("quality")));
    HtmlReport.write(ReportData.of(manifest, importance.rows(), drift == null ? null : drift.rows(),
        written.quality().sample()),
        store.stagedReport(runId), hadoopConf());
    String manifestJson = ManifestWriter.toJson(manifest);
    ManifestWriter.write(manifestJson, store.stagedManifest(runId), hadoopConf());
    write(List.of(AuditTables.runRow(written.run(), manifest, importance.quality(),
        drift == null ? null : drift.summary(), manifestJson)), AuditTables.RUNS, store.staged(runId, "runs"));
    store.commit(runId, started.atZone(ZoneOffset.UTC).toLocalDate());
    return new AttributionResult(runId, manifest, importance, drift, store);
  }

  /**
   * Repartitions as configured, or else into pieces that shrink towards the end when the input as
   * read would leave task slots idle ({@link ExplainLayout}): a small file is one partition, files
   * of different sizes are uneven ones, and explaining is expensive enough per row that the
   * shuffle pays for itself many times over.
   *
   * @param partitionRows the rows of each partition of the input {@code rows} was derived from
   */
  private Layout spread(Dataset<Row> rows, long[] partitionRows, int slots, int batchRows) {
    if (config.input().partitions() != null) {
      return new Layout(rows.repartition(config.input().partitions()), config.input().partitions());
    }
    long[] pieces = ExplainLayout.pieces(partitionRows, slots, batchRows);
    if (pieces.length == 0) {
      // Filtering and selecting keep the input's partitions.
      return new Layout(rows, partitionRows.length);
    }
    if (config.execution().progressSeconds() > 0) {
      System.err.printf("Input: %s; explained as %d pieces of %,d down to %,d rows%n",
          ExplainLayout.describe(partitionRows, slots), pieces.length, pieces[0], pieces[pieces.length - 1]);
    }
    return new Layout(ExplainLayout.split(rows, "row_seed", pieces), pieces.length);
  }

  /**
   * The explain stage's rows and the tasks they make, counted where they are laid out: asking the
   * query for its partitions plans it, and with adaptive execution that runs a repartition's
   * shuffle (0.46 s of a 25,000-row benchmark job) only to be run again by the explain stage.
   */
  private record Layout(Dataset<Row> rows, int tasks) {}

  /**
   * Starts {@code work}, a Spark job or a few, in a thread of its own, so that it runs beside this
   * thread's jobs, and adds the thread to {@code started}. The thread takes the run's job group
   * with Spark's other thread-local properties when it is created.
   */
  private <T> FutureTask<T> beside(List<Thread> started, String description, Callable<T> work) {
    FutureTask<T> task = new FutureTask<>(() -> {
      spark.sparkContext().setJobDescription(description);
      return work.call();
    });
    Thread thread = new Thread(task,
        "attribution-write-" + description.toLowerCase(Locale.ROOT).replace(' ', '-'));
    thread.setDaemon(true);
    started.add(thread);
    thread.start();
    return task;
  }

  /**
   * Rows whose id another explained row has too. They are explained all the same (each is a row
   * of the data), but a per-row table keyed by id is then ambiguous, so the manifest says so.
   *
   * <p>The explained rows are part of the input, so when no id repeats in the whole input (the
   * usual case, and one that reads the id column alone) none repeats among them, and the count
   * over the explained rows, which filters and encodes the input again, is skipped.
   *
   * @param uniqueInputIds whether no input row's id repeats
   * @param withIds the encoded rows, or their per-row results, with a {@code row_id} column
   * @param encoded how many rows were encoded
   */
  private long duplicateIds(FutureTask<Boolean> uniqueInputIds, Dataset<Row> withIds, long encoded) {
    if (resultOf(uniqueInputIds)) {
      return 0;
    }
    spark.sparkContext().setJobDescription("Counting duplicate row ids");
    long duplicates = encoded - distinctIds(withIds);
    if (duplicates > 0) {
      LOG.warn("{} explained rows share their row id with another row", duplicates);
    }
    return duplicates;
  }

  /** What a task running beside this thread returned, or what it threw. */
  private static <T> T resultOf(FutureTask<T> task) {
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + task, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static long distinctIds(Dataset<Row> withIds) {
    return withIds.agg(countDistinct(col("row_id"))).first().getLong(0);
  }

  /**
   * Refuses a run that explained no row or rejected too much of its input. Nothing is committed,
   * so every table keeps its previous state, but the rejected rows stay in staging for inspection.
   *
   * @param modelRejected the rejected rows that the model, not the input, could not explain
   */
  private void checkRejects(long rejected, long modelRejected, long read, String rejectsPath) {
    double share = read == 0 ? 0 : (double) rejected / read;
    if (rejected < read && share <= config.input().maxRejectShare()) {
      return;
    }
    String model = modelRejected == 0 ? "" : String.format(
        "the model gave NaN or infinite outputs for %,d of %,d rows; ", modelRejected, read);
    throw new InvalidJobException(String.format(
        "Cannot accept this run: %s%,d of %,d rows (%.1f%%) were rejected, more than input.max_reject_share (%.1f%%);"
            + " the rejected rows and their reasons are in %s", model, rejected, read, 100 * share,
        100 * config.input().maxRejectShare(), rejectsPath));
  }

  /** Drift against the configured earlier run; null when there is no earlier run of this audit and method. */
  private Drift.Result compareWithEarlierRun(RunStore store, ImportanceSummary importance) {
    DriftConfig drift = config.drift();
    Drift.Compared now = new Drift.Compared(runId, config.method().id(), config.model().name());
    Drift.Compared earlier;
    if (drift.compareTo().equals(Defaults.DRIFT_COMPARE_TO)) {
      earlier = store.previousRun(config.jobName(), now.method(), runId).orElse(null);
      if (earlier == null) {
        return null;
      }
    } else {
      earlier = store.committedRun(drift.compareTo()).orElseThrow(() -> new InvalidJobException(
          "Cannot compare with run '" + drift.compareTo() + "': no such run in " + store.table("runs")));
    }
    return Drift.compare(earlier, store.overallImportance(earlier.runId()), now, importance.rows(),
        drift.topK(), drift.maxRankDisagreement(), drift.maxSignificantChanges());
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
   * input width, in the model's own floating type; a model with much wider hidden layers needs a
   * smaller budget or explicit batch rows (and a call that runs out of memory all the same is
   * split).
   *
   * @param bytesPerValue the size of the model's floating type: 4 for float32, 8 for float64
   */
  static int budgetRows(ExecutionConfig execution, int width, int outputs, int bytesPerValue) {
    long bytesPerRow = (long) bytesPerValue * (8L * width + 4L * outputs);
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

  /**
   * The first few valid rows, encoded: where the model's gradients are checked, since rows of the
   * data test what the run computes.
   */
  private static float[] probeRows(Dataset<Row> valid, FeatureEncoder encoder, int firstFeature) {
    List<Row> rows = valid.limit(GradientCheck.ROWS).collectAsList();
    float[] encoded = new float[rows.size() * encoder.width()];
    for (int r = 0; r < rows.size(); r++) {
      encoder.encode(rows.get(r), firstFeature, encoded, r * encoder.width());
    }
    return encoded;
  }

  /** Runs a method's own checks on the driver, so settings that do not fit fail before any task. */
  private static void checkMethod(Runnable check) {
    checkedValue(() -> {
      check.run();
      return null;
    });
  }

  /** Computes what a method's own checks compute, turning a setting that does not fit into a job error. */
  private static <T> T checkedValue(Supplier<T> check) {
    try {
      return check.get();
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException(e.getMessage(), e);
    }
  }

  /** The Spark job group of every job this run starts, in any thread. */
  private String jobGroup() {
    return "spark-attribution-" + runId;
  }

  private JavaSparkContext jsc() {
    return JavaSparkContext.fromSparkContext(spark.sparkContext());
  }

  /** Runs a phase and records its wall time under {@code name}. */
  private static <T> T timed(Map<String, Long> timings, String name, Supplier<T> phase) {
    long start = System.nanoTime();
    T result = phase.get();
    timings.put(name, elapsedMs(start));
    return result;
  }

  private org.apache.hadoop.conf.Configuration hadoopConf() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static long elapsedMs(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  /**
   * {@code <job name>-<UTC time>-<4 hex digits>}, always a valid run id: a job name that starts
   * with a digit gets a {@code run_} prefix, and a long one is cut short.
   */
  static String newRunId(String jobName) {
    String name = jobName.replaceAll("[^A-Za-z0-9_-]", "_");
    if (!name.matches("[A-Za-z].*")) {
      name = "run_" + name;
    }
    return name.substring(0, Math.min(name.length(), 160)) + "-" + RUN_ID_TIME.format(Instant.now()) + "-"
        + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
  }
}
