package org.attribution.model;

import java.util.function.Supplier;

/**
 * A model that reports the rows and wall time of each of its calls, so that a run can say how
 * much of its attribution time was spent in the model, and how far a long task is before it ends.
 */
public final class TimedModel implements ModelFunction {

  /** Receives each call's size and time, from the calling thread. */
  @FunctionalInterface
  public interface CallObserver {
    /**
     * @param rows rows the call evaluated, whether it succeeded or not
     * @param nanos its wall time
     */
    void called(int rows, long nanos);
  }

  private final ModelFunction model;
  private final CallObserver observer;

  /**
   * @param model the model whose calls are timed
   * @param observer receives each call's rows and nanoseconds
   */
  public TimedModel(ModelFunction model, CallObserver observer) {
    this.model = model;
    this.observer = observer;
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
    return timed(rows, () -> model.forward(inputs, rows));
  }

  @Override
  public float[] forwardHead(float[] buffer, int rows) {
    return timed(rows, () -> model.forwardHead(buffer, rows));
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    return timed(rows, () -> model.gradient(inputs, rows, targets, targetOutputs));
  }

  @Override
  public double[] pathGradients(PathPoints paths, int[] playerOfColumn, int players) {
    return timed(paths.count(), () -> model.pathGradients(paths, playerOfColumn, players));
  }

  /** Runs a call of {@code rows} rows and reports its time, whether it succeeds or not. */
  private <T> T timed(int rows, Supplier<T> call) {
    long start = System.nanoTime();
    try {
      return call.get();
    } finally {
      observer.called(rows, System.nanoTime() - start);
    }
  }
}
