package org.attribution.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.attribution.model.ModelFunction;

/**
 * Wraps a model and records the batch size of every call, checking on the way that each call passes
 * arrays of exactly its batch's size (as the DJL adapter requires). Calls are recorded under a
 * lock, so a benchmark may share one recorder between threads; call order is only meaningful
 * for single-threaded use.
 */
public final class RecordingModel implements ModelFunction {

  private final ModelFunction model;
  private final List<Integer> forwardRows = new ArrayList<>();
  private final List<Integer> gradientRows = new ArrayList<>();

  public RecordingModel(ModelFunction model) {
    this.model = model;
  }

  /** Rows passed to each {@link #forward} call, in call order. */
  public synchronized List<Integer> forwardRows() {
    return List.copyOf(forwardRows);
  }

  /** Rows passed to each {@link #gradient} call, in call order. */
  public synchronized List<Integer> gradientRows() {
    return List.copyOf(gradientRows);
  }

  @Override
  public int inputWidth() {
    return model.inputWidth();
  }

  @Override
  public int outputWidth() {
    return model.outputWidth();
  }

  @Override
  public float[] forward(float[] inputs, int rows) {
    assertEquals(rows * inputWidth(), inputs.length, "forward inputs for " + rows + " rows");
    synchronized (this) {
      forwardRows.add(rows);
    }
    return model.forward(inputs, rows);
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    assertEquals(rows * inputWidth(), inputs.length, "gradient inputs for " + rows + " rows");
    assertEquals(rows, targets.length, "gradient targets for " + rows + " rows");
    synchronized (this) {
      gradientRows.add(rows);
    }
    return model.gradient(inputs, rows, targets, targetOutputs);
  }
}
