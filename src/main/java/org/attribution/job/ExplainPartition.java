package org.attribution.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.attribution.aggregate.FitQuality;
import org.attribution.aggregate.GlobalImportance.Partial;
import org.attribution.aggregate.ImportanceAccumulator;
import org.attribution.aggregate.SamplingEffort;
import org.attribution.config.TargetConfig;
import org.attribution.data.FeatureEncoder;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Attributions;
import org.attribution.method.Outputs;
import org.attribution.model.ActivationModel;
import org.attribution.model.ModelFunction;
import org.attribution.model.SplittingModel;
import org.attribution.model.TimedActivationModel;
import org.attribution.model.TimedModel;
import org.attribution.output.ResultSchema;

/**
 * Executor side of the job: explains one partition in batches.
 *
 * <p>Holds only serialisable settings and the broadcast model bytes; the model itself comes from
 * the per-JVM {@link ExecutorModels} cache, so every task on an executor shares one loaded model
 * and nothing from DJL is ever serialised. Input rows are {@code (row_id, row_seed, segment
 * columns..., encoded columns...)}; a partition's results come out either as rows in {@link
 * ResultSchema} ({@link #call}) or, when no per-row table is written, as importance statistics
 * ({@link #summarise}).
 */
final class ExplainPartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> modelBytes;
  private final ModelSpec modelSpec;
  private final FeatureEncoder encoder;
  private final MethodFactory methods;
  /** Per executor id, the model call size it measured fastest; the methods' own size elsewhere. */
  private final Map<String, Integer> executorCallRows;
  private final TargetConfig target;
  private final int batchRows;
  private final int segments;
  private final TaskCounters counters;
  private final FaultInjection faults;
  private final int memoryBudgetMb;
  /** About which share of the rows the report's sample keeps ({@link ReportRows}); 0 for none. */
  private final double reportShare;

  ExplainPartition(
      Broadcast<byte[]> modelBytes,
      ModelSpec modelSpec,
      FeatureEncoder encoder,
      MethodFactory methods,
      Map<String, Integer> executorCallRows,
      TargetConfig target,
      int batchRows,
      int segments,
      TaskCounters counters,
      FaultInjection faults,
      int memoryBudgetMb,
      double reportShare) {
    this.modelBytes = modelBytes;
    this.modelSpec = modelSpec;
    this.encoder = encoder;
    this.methods = methods;
    this.executorCallRows = new HashMap<>(executorCallRows);
    this.target = target;
    this.batchRows = batchRows;
    this.segments = segments;
    this.counters = counters;
    this.faults = faults;
    this.memoryBudgetMb = memoryBudgetMb;
    this.reportShare = reportShare;
  }

  /** The partition's per-row results, for the per-row table. */
  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    return new ResultRows(new Explainer(rows, true));
  }

  /**
   * The partition's results as global importance statistics only, one partial per (target,
   * segment values), and the rows the model could not explain: what a run without the per-row
   * table needs, with no result row built.
   */
  Iterator<Summary> summarise(Iterator<Row> rows) {
    Explainer explainer = new Explainer(rows, false);
    ImportanceAccumulator accumulator = new ImportanceAccumulator(encoder.groups().players());
    List<Row> rejects = new ArrayList<>();
    FitQuality.Sums fits = new FitQuality.Sums();
    SamplingEffort.Sums effort = new SamplingEffort.Sums();
    while (explainer.explainNextBatch()) {
      explainer.addTo(accumulator, rejects, fits, effort);
    }
    return List.of(new Summary(accumulator.partials(), rejects, fits, effort)).iterator();
  }

  /**
   * One partition's statistics and model rejects.
   *
   * @param partials statistics per (target, segment values)
   * @param rejects (row id, reason) of each row with a result that is not finite, in {@link
   *     ModelRejects#schema}
   * @param fits the rows' surrogate fit R^2 per target; empty for methods without a surrogate
   * @param effort what the rows spent to meet a target error; empty without a target
   */
  record Summary(List<Partial> partials, List<Row> rejects, FitQuality.Sums fits, SamplingEffort.Sums effort)
      implements Serializable {}

  /** Hands out the result rows of one batch at a time. */
  private static final class ResultRows implements Iterator<Row> {
    private final Explainer explainer;
    /** The next of the latest batch's rows; no batch yet counts as an empty one. */
    private int next;

    ResultRows(Explainer explainer) {
      this.explainer = explainer;
    }

    @Override
    public boolean hasNext() {
      while (next == explainer.explained) {
        if (!explainer.explainNextBatch()) {
          return false;
        }
        next = 0;
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return explainer.resultRow(next++);
    }
  }

  /** Explains the partition's input a batch at a time; holds the latest batch's results. */
  private final class Explainer {
    private final Iterator<Row> input;
    private final ModelFunction model;
    private final MethodFactory executorMethods =
        methods.withMaxEvaluationRows(executorCallRows.getOrDefault(SparkEnv.get().executorId(), methods.maxEvaluationRows()));
    private final AttributionMethod method;
    private final int width = encoder.width();
    private final float[] inputs;
    private final Object[] ids;
    private final long[] seeds;
    private final String[][] segmentValues;
    private final boolean withErrors = methods.reportsStandardErrors();
    private final boolean withFit = methods.reportsFit();
    private final boolean withEffort = methods.reportsEffort();
    private final List<String> features = encoder.playerNames();
    private final boolean needsPredictions;
    private int batches;
    /** Result rows of the latest batch: rows times explained targets per row. */
    int explained;
    private int[] source;
    private int[] targets;
    private float[] predictions;
    private Attributions result;
    /** The report's sampled rows explained so far, handed over when the input is done. */
    private final List<ReportRows.Kept> kept = new ArrayList<>();

    /**
     * @param input the partition's rows
     * @param forRows whether result rows will be built: they report the predicted class, which
     *     needs a forward pass of the batch that the statistics alone do not
     */
    Explainer(Iterator<Row> input, boolean forRows) {
      this.input = input;
      this.model = taskModel(modelSpec, modelBytes, counters);
      this.needsPredictions = target.mode().equals("predicted") || forRows && model.outputWidth() > 1;
      this.method = executorMethods.create(model, () -> taskActivations(modelSpec, modelBytes, counters));
      this.inputs = new float[batchRows * width];
      this.ids = new Object[batchRows];
      this.seeds = new long[batchRows];
      this.segmentValues = new String[batchRows][segments];
    }

    /** Explains the next batch; false when the input is done. */
    boolean explainNextBatch() {
      if (!input.hasNext()) {
        kept.forEach(counters.sample()::add);
        kept.clear();
        return false;
      }
      if (batches++ > 0) {
        // Part-way: after this task has already produced results.
        faults.maybeFail(TaskContext.get());
      }
      Arrays.fill(inputs, 0f);
      int rows = 0;
      while (rows < batchRows && input.hasNext()) {
        Row row = input.next();
        ids[rows] = row.get(0);
        seeds[rows] = row.getLong(1);
        for (int s = 0; s < segments; s++) {
          segmentValues[rows][s] = row.getString(2 + s);
        }
        encoder.encode(row, 2 + segments, inputs, rows * width);
        rows++;
      }
      // Only the last batch of a partition is short; models take exactly rows x width values.
      float[] batch = rows == batchRows ? inputs : Arrays.copyOf(inputs, rows * width);
      int outputs = model.outputWidth();
      predictions = needsPredictions ? model.forward(batch, rows) : null;
      int perRow = target.mode().equals("all") ? outputs : 1;
      explained = rows * perRow;
      float[] expanded = perRow == 1 ? batch : new float[explained * width];
      targets = new int[explained];
      source = new int[explained];
      long[] explainedSeeds = new long[explained];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < perRow; k++) {
          int e = r * perRow + k;
          source[e] = r;
          explainedSeeds[e] = seeds[r];
          targets[e] = targetOf(target, k, predictions, r * outputs, outputs);
          if (perRow != 1) {
            System.arraycopy(batch, r * width, expanded, e * width, width);
          }
        }
      }
      try {
        result = method.attribute(expanded, explained, targets, explainedSeeds);
      } catch (OutOfMemoryError e) {
        throw MemoryAdvice.forBatch(new IllegalStateException(e), explained, executorMethods.maxEvaluationRows(), memoryBudgetMb);
      } catch (RuntimeException e) {
        throw MemoryAdvice.forBatch(e, explained, executorMethods.maxEvaluationRows(), memoryBudgetMb);
      }
      counters.rows().add(rows);
      keepSampled(batch);
      return true;
    }

    /** Keeps the latest batch's rows that the report's sample draws, at each target, if finite. */
    private void keepSampled(float[] batch) {
      if (reportShare == 0) {
        return;
      }
      int players = result.players();
      for (int e = 0; e < explained; e++) {
        int r = source[e];
        if (ReportRows.drawn(seeds[r], reportShare)) {
          double[] values = Arrays.copyOfRange(result.values(), e * players, (e + 1) * players);
          if (Double.isFinite(result.outputs()[e]) && Arrays.stream(values).allMatch(Double::isFinite)) {
            kept.add(new ReportRows.Kept(seeds[r], targets[e], values,
                Arrays.copyOfRange(batch, r * width, (r + 1) * width)));
          }
        }
      }
    }

    /** Result row {@code e} of the latest batch, in {@link ResultSchema}. */
    Row resultRow(int e) {
      int r = source[e];
      int outputs = model.outputWidth();
      int players = result.players();
      Object[] fields = new Object[ResultSchema.FIXED_FIELDS + segments + (withErrors ? 2 : 1) * players
          + (withFit ? 1 : 0) + (withEffort ? 2 : 0)];
      fields[0] = ids[r];
      fields[1] = targets[e];
      fields[2] = target.nameOf(targets[e]);
      fields[3] = result.outputs()[e];
      fields[4] = outputs > 1 ? Outputs.argmax(predictions, r * outputs, outputs) : null;
      fields[5] = result.references()[e];
      fields[6] = result.gap(e);
      System.arraycopy(segmentValues[r], 0, fields, ResultSchema.FIXED_FIELDS, segments);
      int first = ResultSchema.FIXED_FIELDS + segments;
      for (int p = 0; p < players; p++) {
        fields[first + p] = result.value(e, p);
        if (withErrors) {
          fields[first + players + p] = result.standardError(e, p);
        }
      }
      if (withFit) {
        fields[fields.length - 1] = result.fitRSquared(e);
      }
      if (withEffort) {
        fields[fields.length - 2] = result.effort().evaluations()[e];
        fields[fields.length - 1] = result.effort().targetMet()[e];
      }
      return RowFactory.create(fields);
    }

    /**
     * Adds every result row of the latest batch to {@code accumulator}, which leaves out results
     * that are not finite, and each row with such a result to {@code rejects}, once; each row's
     * surrogate fit, if the method has one, to {@code fits}; and what each row spent on a target
     * error, if there is one, to {@code effort}.
     */
    void addTo(ImportanceAccumulator accumulator, List<Row> rejects, FitQuality.Sums fits, SamplingEffort.Sums effort) {
      int players = result.players();
      int rejectedRow = -1;
      for (int e = 0; e < explained; e++) {
        double gap = result.gap(e);
        accumulator.add(targets[e], target.nameOf(targets[e]), segmentValues[source[e]], result.outputs()[e],
            result.references()[e], gap, result.values(), e * players);
        if (withFit) {
          fits.add(targets[e], target.nameOf(targets[e]), result.fitRSquared(e));
        }
        if (withEffort) {
          effort.add(result.effort().evaluations()[e], result.effort().targetMet()[e]);
        }
        String reason = ModelRejects.reason(targets[e], result.outputs()[e], result.references()[e], gap,
            result.values(), e * players, features);
        if (reason != null && source[e] != rejectedRow) {
          rejectedRow = source[e];
          rejects.add(RowFactory.create(ids[rejectedRow], reason));
        }
      }
    }
  }

  /**
   * The running task's model, splitting calls that run out of memory and counting its
   * evaluations and time in {@code counters}.
   */
  static ModelFunction taskModel(ModelSpec modelSpec, Broadcast<byte[]> modelBytes, TaskCounters counters) {
    // Timed outside the splitting, so that a split call counts its rows once and its time in full.
    return new TimedModel(
        new SplittingModel(ExecutorModels.get(modelSpec, modelBytes::value, TaskContext.get()),
            counters.splits()::add),
        counted(counters));
  }

  /** The running task's model split at its last convolution (Grad-CAM), its calls counted as {@link #taskModel}'s. */
  static ActivationModel taskActivations(ModelSpec modelSpec, Broadcast<byte[]> modelBytes, TaskCounters counters) {
    return new TimedActivationModel(
        ExecutorModels.get(modelSpec, modelBytes::value, TaskContext.get()).activationModel(), counted(counters));
  }

  private static TimedModel.CallObserver counted(TaskCounters counters) {
    return (calledRows, nanos) -> {
      counters.evaluations().add(calledRows);
      counters.modelNanos().add(nanos);
    };
  }

  /**
   * The output explained as a row's {@code k}-th target: output k for {@code all}, the configured
   * class, or the predicted class, from the row's {@code outputs} predictions at {@code from}.
   */
  static int targetOf(TargetConfig target, int k, float[] predictions, int from, int outputs) {
    return switch (target.mode()) {
      case "all" -> k;
      case "class" -> target.classIndex();
      default -> Outputs.argmax(predictions, from, outputs);
    };
  }
}
