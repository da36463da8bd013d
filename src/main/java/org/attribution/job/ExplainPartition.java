package org.attribution.job;

import org.attribution.output.ResultSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;
import org.attribution.config.TargetConfig;
import org.attribution.data.FeatureEncoder;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Attributions;
import org.attribution.model.ModelFunction;
import org.attribution.model.TimedModel;

/**
 * Executor side of the job: explains one partition in batches.
 *
 * <p>Holds only serialisable settings and the broadcast model bytes; the model itself comes from
 * the per-JVM {@link ExecutorModels} cache, so every task on an executor shares one loaded model
 * and nothing from DJL is ever serialised. Input rows are {@code (row_id, encoded columns...)};
 * output rows follow {@link ResultSchema}.
 */
final class ExplainPartition implements MapPartitionsFunction<Row, Row> {

  private static final long serialVersionUID = 1L;

  private final Broadcast<byte[]> modelBytes;
  private final ModelSpec modelSpec;
  private final FeatureEncoder encoder;
  private final MethodFactory methods;
  private final TargetConfig target;
  private final int batchRows;
  private final int segments;
  private final LongAccumulator explainedRows;
  private final LongAccumulator modelNanos;
  private final FaultInjection faults;
  private final int memoryBudgetMb;

  ExplainPartition(
      Broadcast<byte[]> modelBytes,
      ModelSpec modelSpec,
      FeatureEncoder encoder,
      MethodFactory methods,
      TargetConfig target,
      int batchRows,
      int segments,
      LongAccumulator explainedRows,
      LongAccumulator modelNanos,
      FaultInjection faults,
      int memoryBudgetMb) {
    this.modelBytes = modelBytes;
    this.modelSpec = modelSpec;
    this.encoder = encoder;
    this.methods = methods;
    this.target = target;
    this.batchRows = batchRows;
    this.segments = segments;
    this.explainedRows = explainedRows;
    this.modelNanos = modelNanos;
    this.faults = faults;
    this.memoryBudgetMb = memoryBudgetMb;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    ModelFunction model =
        new TimedModel(ExecutorModels.get(modelSpec, modelBytes::value, TaskContext.get()), modelNanos::add);
    return new BatchIterator(rows, model, methods.create(model));
  }

  /** Pulls a batch of input rows at a time and hands out their result rows. */
  private final class BatchIterator implements Iterator<Row> {
    private final Iterator<Row> input;
    private final ModelFunction model;
    private final AttributionMethod method;
    private final int width = encoder.width();
    private final float[] inputs;
    private final Object[] ids;
    private final long[] seeds;
    private final String[][] segmentValues;
    private List<Row> pending = List.of();
    private int next;

    BatchIterator(Iterator<Row> input, ModelFunction model, AttributionMethod method) {
      this.input = input;
      this.model = model;
      this.method = method;
      this.inputs = new float[batchRows * width];
      this.ids = new Object[batchRows];
      this.seeds = new long[batchRows];
      this.segmentValues = new String[batchRows][segments];
    }

    @Override
    public boolean hasNext() {
      while (next == pending.size()) {
        if (!input.hasNext()) {
          return false;
        }
        if (!pending.isEmpty()) {
          // Part-way: after this task has already produced results.
          faults.maybeFail(TaskContext.get());
        }
        pending = explainNextBatch();
        next = 0;
      }
      return true;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return pending.get(next++);
    }

    private List<Row> explainNextBatch() {
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
      float[] predictions = model.forward(batch, rows);
      int perRow = target.mode().equals("all") ? outputs : 1;
      int explained = rows * perRow;
      float[] expanded = perRow == 1 ? batch : new float[explained * width];
      int[] targets = new int[explained];
      int[] source = new int[explained];
      long[] explainedSeeds = new long[explained];
      for (int r = 0; r < rows; r++) {
        for (int k = 0; k < perRow; k++) {
          int e = r * perRow + k;
          source[e] = r;
          explainedSeeds[e] = seeds[r];
          targets[e] = switch (target.mode()) {
            case "all" -> k;
            case "class" -> target.classIndex();
            default -> argmax(predictions, r * outputs, outputs);
          };
          if (perRow != 1) {
            System.arraycopy(batch, r * width, expanded, e * width, width);
          }
        }
      }
      Attributions result;
      try {
        result = method.attribute(expanded, explained, targets, explainedSeeds);
      } catch (OutOfMemoryError e) {
        throw MemoryAdvice.forBatch(new IllegalStateException(e), explained, methods.maxEvaluationRows(), memoryBudgetMb);
      } catch (RuntimeException e) {
        throw MemoryAdvice.forBatch(e, explained, methods.maxEvaluationRows(), memoryBudgetMb);
      }
      explainedRows.add(rows);
      List<Row> out = new ArrayList<>(explained);
      int players = result.players();
      boolean withErrors = methods.reportsStandardErrors();
      for (int e = 0; e < explained; e++) {
        int r = source[e];
        Object[] fields = new Object[ResultSchema.FIXED_FIELDS + segments + (withErrors ? 2 : 1) * players];
        fields[0] = ids[r];
        fields[1] = targets[e];
        fields[2] = target.nameOf(targets[e]);
        fields[3] = result.outputs()[e];
        fields[4] = outputs > 1 ? argmax(predictions, r * outputs, outputs) : null;
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
        out.add(RowFactory.create(fields));
      }
      return out;
    }
  }

  private static int argmax(float[] values, int from, int length) {
    int best = 0;
    for (int k = 1; k < length; k++) {
      if (values[from + k] > values[from + best]) {
        best = k;
      }
    }
    return best;
  }
}
