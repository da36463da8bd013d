package org.attribution.method;

import java.util.Arrays;
import org.attribution.model.ModelFunction;

/**
 * Values of coalitions of players for the coalition methods (Kernel SHAP, sampling and exact
 * Shapley): the interventional value of coalition S for row x is
 * {@code v(S) = sum_b w_b f(x on S, b elsewhere)} over the background rows b.
 *
 * <p>Every (row, coalition, background row) triple becomes one model input; a row's triples are
 * packed into model calls of at most {@code maxEvaluationRows} rows, across its coalitions. A
 * model call never mixes rows: libtorch's float32 result for an input can depend on the other
 * inputs of its call (kernels are chosen by batch shape), so mixing would make a row's values
 * depend on which rows Spark happened to batch it with. Sums run in a fixed order per value.
 * Instances keep no state between calls and may be shared by threads.
 */
public final class CoalitionEvaluator {

  private final ModelFunction model;
  private final Background background;
  private final FeatureGroups groups;
  private final int maxEvaluationRows;
  /**
   * The input columns as maximal runs of adjacent columns that belong to one player, in column
   * order: a masked row is then its background row with a few blocks copied from the explained
   * row, instead of one scattered write per column (that copying is most of the Java time the
   * coalition methods spend per row).
   */
  private final int[] segmentStart;
  private final int[] segmentLength;
  private final int[] segmentPlayer;

  /**
   * @param model the model, with targets chosen per row
   * @param background the values absent players take
   * @param groups which input columns each player owns
   * @param maxEvaluationRows the most rows one model call may take
   */
  public CoalitionEvaluator(ModelFunction model, Background background, FeatureGroups groups, int maxEvaluationRows) {
    if (background.width() != model.inputWidth() || groups.columns() != model.inputWidth()) {
      throw new IllegalArgumentException("Cannot evaluate coalitions: model width " + model.inputWidth()
          + ", background width " + background.width() + " and feature groups of " + groups.columns()
          + " columns must agree");
    }
    if (maxEvaluationRows < 1) {
      throw new IllegalArgumentException("Cannot evaluate coalitions: maxEvaluationRows must be at least 1, got "
          + maxEvaluationRows);
    }
    this.model = model;
    this.background = background;
    this.groups = groups;
    this.maxEvaluationRows = maxEvaluationRows;
    int[] playerOfColumn = groups.playerOfColumn();
    int segments = 0;
    for (int c = 0; c < playerOfColumn.length; c++) {
      if (c == 0 || playerOfColumn[c] != playerOfColumn[c - 1]) {
        segments++;
      }
    }
    segmentStart = new int[segments];
    segmentLength = new int[segments];
    segmentPlayer = new int[segments];
    int segment = -1;
    for (int c = 0; c < playerOfColumn.length; c++) {
      if (c == 0 || playerOfColumn[c] != playerOfColumn[c - 1]) {
        segment++;
        segmentStart[segment] = c;
        segmentPlayer[segment] = playerOfColumn[c];
      }
      segmentLength[segment]++;
    }
  }

  /** Number of players. */
  public int players() {
    return groups.players();
  }

  /** Model evaluations one coalition value costs: one per background row. */
  public int evaluationsPerCoalition() {
    return background.count();
  }

  /**
   * The base value of every output: the weighted mean of the model over the background, which is
   * the value of the empty coalition.
   *
   * @return one value per model output
   */
  public double[] baseValues() {
    int outputs = model.outputWidth();
    double[] base = new double[outputs];
    int width = background.width();
    float[] rows = background.rows();
    for (int start = 0; start < background.count(); start += maxEvaluationRows) {
      int n = Math.min(maxEvaluationRows, background.count() - start);
      float[] out = model.forward(Arrays.copyOfRange(rows, start * width, (start + n) * width), n);
      if (out.length != n * outputs) {
        throw new IllegalStateException("Cannot compute base values: the model returned " + out.length
            + " outputs for " + n + " rows of " + outputs);
      }
      for (int i = 0; i < n; i++) {
        for (int k = 0; k < outputs; k++) {
          base[k] += background.weight(start + i) * out[i * outputs + k];
        }
      }
    }
    return base;
  }

  /**
   * Values of coalitions, the same number for every row.
   *
   * @param inputs {@code rows x width} encoded rows
   * @param rows number of rows
   * @param targets the output to evaluate, per row
   * @param masks for each row, {@code perRow} coalitions of {@code players()} flags:
   *     {@code masks[(r * perRow + k) * players() + p]} is true when player p is in coalition k of
   *     row r
   * @param perRow coalitions per row
   * @return {@code values[r * perRow + k]}, the value of coalition k for row r
   */
  public double[] evaluate(float[] inputs, int rows, int[] targets, boolean[] masks, int perRow) {
    int[] firstCoalition = new int[rows + 1];
    for (int r = 0; r <= rows; r++) {
      firstCoalition[r] = r * perRow;
    }
    return evaluate(inputs, rows, targets, masks, firstCoalition);
  }

  /**
   * Values of coalitions, a number of its own for each row.
   *
   * @param inputs {@code rows x width} encoded rows
   * @param rows number of rows
   * @param targets the output to evaluate, per row
   * @param masks coalitions of {@code players()} flags, row by row: {@code masks[k * players() +
   *     p]} is true when player p is in coalition k
   * @param firstCoalition {@code rows + 1} ascending indexes from 0: row r's coalitions are those
   *     from {@code firstCoalition[r]} to before {@code firstCoalition[r + 1]}
   * @return {@code values[k]}, the value of coalition k for its row
   */
  public double[] evaluate(float[] inputs, int rows, int[] targets, boolean[] masks, int[] firstCoalition) {
    int width = model.inputWidth();
    int players = groups.players();
    if (firstCoalition.length != rows + 1 || firstCoalition[0] != 0) {
      throw new IllegalArgumentException("Cannot evaluate coalitions: expected " + (rows + 1)
          + " row offsets from 0, got " + Arrays.toString(firstCoalition));
    }
    int coalitions = firstCoalition[rows];
    if (inputs.length != rows * width || targets.length != rows || masks.length != coalitions * players) {
      throw new IllegalArgumentException("Cannot evaluate coalitions: expected " + rows + " rows of width " + width
          + ", " + rows + " targets and " + coalitions + " masks of " + players + " players, got "
          + inputs.length + " values, " + targets.length + " targets and " + masks.length + " flags");
    }
    int count = background.count();
    // Each row's calls are as even as maxEvaluationRows allows over its own coalitions alone, so
    // that they never depend on the other rows of the batch; the call buffer holds the largest.
    int[] callRows = new int[rows];
    int largestCall = 1;
    for (int r = 0; r < rows; r++) {
      if (firstCoalition[r + 1] < firstCoalition[r]) {
        throw new IllegalArgumentException("Cannot evaluate coalitions: row offsets must ascend, got "
            + Arrays.toString(firstCoalition));
      }
      callRows[r] = Batches.evenCallSize((long) (firstCoalition[r + 1] - firstCoalition[r]) * count,
          maxEvaluationRows);
      largestCall = Math.max(largestCall, callRows[r]);
    }
    double[] values = new double[coalitions];
    Chunk chunk = new Chunk(largestCall, width);
    // The current coalition's masked rows, one per background row, and which segments in them hold
    // the explained row's values. Consecutive coalitions often differ in a player or two (sampling
    // Shapley's prefixes of an ordering), and then only those segments are rewritten. The block takes
    // as much memory as the background itself.
    float[] block = new float[count * width];
    boolean[] present = new boolean[segmentStart.length];
    int[] changed = new int[segmentStart.length];
    int[] runStart = new int[segmentStart.length];
    int[] runLength = new int[segmentStart.length];
    for (int r = 0; r < rows; r++) {
      chunk.capacity = callRows[r];
      Arrays.fill(present, false);
      background.copyRows(block);
      for (int coalition = firstCoalition[r]; coalition < firstCoalition[r + 1]; coalition++) {
        // The segments to rewrite, and the coalition's present columns as runs, adjacent segments
        // merged into one copy.
        int changes = 0;
        int runs = 0;
        int runEnd = -1;
        for (int g = 0; g < segmentStart.length; g++) {
          boolean in = masks[coalition * players + segmentPlayer[g]];
          if (in != present[g]) {
            changed[changes++] = g;
          }
          if (in) {
            if (segmentStart[g] == runEnd) {
              runLength[runs - 1] += segmentLength[g];
            } else {
              runStart[runs] = segmentStart[g];
              runLength[runs++] = segmentLength[g];
            }
            runEnd = segmentStart[g] + segmentLength[g];
          }
        }
        // Whichever takes fewer copies: a segment per background row for each change, or the
        // background block once and each run per background row.
        if (changes * count <= 1 + runs * count) {
          for (int c = 0; c < changes; c++) {
            int g = changed[c];
            present[g] = !present[g];
            int start = segmentStart[g];
            for (int b = 0; b < count; b++) {
              if (present[g]) {
                System.arraycopy(inputs, r * width + start, block, b * width + start, segmentLength[g]);
              } else {
                background.copyColumns(b, start, segmentLength[g], block, b * width + start);
              }
            }
          }
        } else {
          background.copyRows(block);
          for (int b = 0; b < count; b++) {
            for (int i = 0; i < runs; i++) {
              System.arraycopy(inputs, r * width + runStart[i], block, b * width + runStart[i], runLength[i]);
            }
          }
          for (int g = 0; g < segmentStart.length; g++) {
            present[g] = masks[coalition * players + segmentPlayer[g]];
          }
        }
        for (int b = 0; b < count; ) {
          int n = Math.min(count - b, chunk.capacity - chunk.size);
          System.arraycopy(block, b * width, chunk.inputs, chunk.size * width, n * width);
          for (int i = 0; i < n; i++, b++) {
            chunk.value[chunk.size + i] = coalition;
            chunk.target[chunk.size + i] = targets[r];
            chunk.weight[chunk.size + i] = background.weight(b);
          }
          chunk.size += n;
          if (chunk.size == chunk.capacity) {
            chunk.flush(values);
          }
        }
      }
      chunk.flush(values);
    }
    return values;
  }

  /** One model call's worth of masked rows and where their outputs go. */
  private final class Chunk {
    /** Rows in a call of the current row; the arrays may hold more. */
    int capacity;
    final float[] inputs;
    final int[] value;
    final int[] target;
    final double[] weight;
    int size;

    Chunk(long capacity, int width) {
      Batches.checkCallSize("evaluate coalitions", capacity, width);
      this.capacity = (int) Math.max(1, capacity);
      this.inputs = new float[this.capacity * width];
      this.value = new int[this.capacity];
      this.target = new int[this.capacity];
      this.weight = new double[this.capacity];
    }

    void flush(double[] values) {
      if (size == 0) {
        return;
      }
      int outputs = model.outputWidth();
      float[] out = model.forwardHead(inputs, size);
      if (out.length != size * outputs) {
        throw new IllegalStateException("Cannot evaluate coalitions: the model returned " + out.length
            + " outputs for " + size + " rows of " + outputs);
      }
      for (int i = 0; i < size; i++) {
        values[value[i]] += weight[i] * out[i * outputs + target[i]];
      }
      size = 0;
    }
  }
}
