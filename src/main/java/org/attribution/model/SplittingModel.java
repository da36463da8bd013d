package org.attribution.model;

import java.util.Arrays;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * A model whose calls that run out of memory are split in two and retried, down to calls of one
 * row, so that a call size the budget's estimate got wrong (a wide hidden layer, what backward
 * keeps, another process on the GPU) slows a task down instead of failing it: Spark would retry
 * a failed task with the same sizes and fail the same way.
 *
 * <p>Each row's result comes from a call of its own rows only, so splitting changes which rows
 * share a call, never which values a row is evaluated at. The coalition methods (Kernel SHAP,
 * sampling and exact Shapley) never mix rows in a call and get the same values; Integrated
 * Gradients and Gradient SHAP, which pack several rows' points into one call, can see their last
 * bits move where libtorch rounds differently at another call size (see the README).
 */
public final class SplittingModel implements ModelFunction {

  private final ModelFunction model;
  private final LongConsumer splits;

  /**
   * @param model the model whose calls are split when they run out of memory
   * @param splits told of each split, from the calling thread
   */
  public SplittingModel(ModelFunction model, LongConsumer splits) {
    this.model = model;
    this.splits = splits;
  }

  /**
   * Whether {@code failure} (or a cause) is a failed allocation: libtorch reports one as an engine
   * error ("DefaultCPUAllocator: can't allocate memory", "CUDA out of memory"), the JVM as an
   * {@link OutOfMemoryError}.
   */
  public static boolean isOutOfMemory(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof OutOfMemoryError) {
        return true;
      }
      String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
      if (message.contains("can't allocate memory") || message.contains("out of memory")
          || message.contains("failed to allocate")) {
        return true;
      }
    }
    return false;
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
    try {
      return model.forward(inputs, rows);
    } catch (RuntimeException | OutOfMemoryError e) {
      return forwardInHalves(e, inputs, rows);
    }
  }

  @Override
  public float[] forwardHead(float[] buffer, int rows) {
    try {
      return model.forwardHead(buffer, rows);
    } catch (RuntimeException | OutOfMemoryError e) {
      return forwardInHalves(e, buffer, rows);
    }
  }

  /** The first {@code rows} rows of {@code inputs} in two calls, after {@code failure} of one. */
  private float[] forwardInHalves(Throwable failure, float[] inputs, int rows) {
    int first = splitOrRethrow(failure, rows);
    int width = inputWidth();
    float[] head = forward(Arrays.copyOfRange(inputs, 0, first * width), first);
    float[] tail = forward(Arrays.copyOfRange(inputs, first * width, rows * width), rows - first);
    return concat(head, tail);
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    try {
      return model.gradient(inputs, rows, targets, targetOutputs);
    } catch (RuntimeException | OutOfMemoryError e) {
      int first = splitOrRethrow(e, rows);
      int width = inputWidth();
      float[] headOutputs = targetOutputs == null ? null : new float[first];
      float[] tailOutputs = targetOutputs == null ? null : new float[rows - first];
      float[] head = gradient(Arrays.copyOfRange(inputs, 0, first * width), first,
          Arrays.copyOfRange(targets, 0, first), headOutputs);
      float[] tail = gradient(Arrays.copyOfRange(inputs, first * width, rows * width), rows - first,
          Arrays.copyOfRange(targets, first, rows), tailOutputs);
      if (targetOutputs != null) {
        System.arraycopy(headOutputs, 0, targetOutputs, 0, first);
        System.arraycopy(tailOutputs, 0, targetOutputs, first, rows - first);
      }
      return concat(head, tail);
    }
  }

  @Override
  public double[] pathGradients(PathPoints paths, int[] playerOfColumn, int players) {
    try {
      return model.pathGradients(paths, playerOfColumn, players);
    } catch (RuntimeException | OutOfMemoryError e) {
      int count = paths.count();
      int first = splitOrRethrow(e, count);
      double[] head = pathGradients(paths.range(0, first), playerOfColumn, players);
      double[] tail = pathGradients(paths.range(first, count), playerOfColumn, players);
      return concat(head, tail);
    }
  }

  /** The rows of the first half, when the failure is one a smaller call can avoid. */
  private int splitOrRethrow(Throwable failure, int rows) {
    if (rows < 2 || !isOutOfMemory(failure)) {
      if (failure instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw (Error) failure;
    }
    splits.accept(1);
    return rows / 2;
  }

  private static float[] concat(float[] head, float[] tail) {
    float[] all = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  private static double[] concat(double[] head, double[] tail) {
    double[] all = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
