package org.attribution.model;

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
    long start = System.nanoTime();
    try {
      return model.forward(inputs, rows);
    } finally {
      observer.called(rows, System.nanoTime() - start);
    }
  }

  @Override
  public float[] forwardHead(float[] buffer, int rows) {
    long start = System.nanoTime();
    try {
      return model.forwardHead(buffer, rows);
    } finally {
      observer.called(rows, System.nanoTime() - start);
    }
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    long start = System.nanoTime();
    try {
      return model.gradient(inputs, rows, targets, targetOutputs);
    } finally {
      observer.called(rows, System.nanoTime() - start);
    }
  }

  @Override
  public double[] pathGradients(PathPoints paths, int[] playerOfColumn, int players) {
    long start = System.nanoTime();
    try {
      return model.pathGradients(paths, playerOfColumn, players);
    } finally {
      observer.called(paths.count(), System.nanoTime() - start);
    }
  }
}
