package org.attribution.model;

import java.util.function.LongConsumer;

/**
 * A model that reports the wall time of each of its calls, so that a run can say how much of its
 * attribution time was spent in the model and how much around it.
 */
public final class TimedModel implements ModelFunction {

  private final ModelFunction model;
  private final LongConsumer nanos;

  /**
   * @param model the model whose calls are timed
   * @param nanos receives the nanoseconds of each call, from the calling thread
   */
  public TimedModel(ModelFunction model, LongConsumer nanos) {
    this.model = model;
    this.nanos = nanos;
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
    long start = System.nanoTime();
    try {
      return model.forward(inputs, rows);
    } finally {
      nanos.accept(System.nanoTime() - start);
    }
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    long start = System.nanoTime();
    try {
      return model.gradient(inputs, rows, targets, targetOutputs);
    } finally {
      nanos.accept(System.nanoTime() - start);
    }
  }
}
