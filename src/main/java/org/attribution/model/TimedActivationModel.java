package org.attribution.model;

import java.util.List;

/**
 * An {@link ActivationModel} that reports the rows and wall time of each call, as {@link
 * TimedModel} does for a {@link ModelFunction}, so that Grad-CAM's model calls count in a run's
 * evaluations, progress and model time like any other method's.
 */
public final class TimedActivationModel implements ActivationModel {

  private final ActivationModel model;
  private final TimedModel.CallObserver observer;

  /**
   * @param model the model whose calls are timed
   * @param observer receives each call's rows and nanoseconds
   */
  public TimedActivationModel(ActivationModel model, TimedModel.CallObserver observer) {
    this.model = model;
    this.observer = observer;
  }

  @Override
  public List<Integer> inputShape() {
    return model.inputShape();
  }

  @Override
  public List<Integer> activationShape() {
    return model.activationShape();
  }

  /** Counts no rows: the activations are the first part of the evaluation the gradient completes. */
  @Override
  public float[] activations(float[] inputs, int rows) {
    long start = System.nanoTime();
    try {
      return model.activations(inputs, rows);
    } finally {
      observer.called(0, System.nanoTime() - start);
    }
  }

  @Override
  public float[] activationGradient(float[] activations, int rows, int[] targets, float[] targetOutputs) {
    long start = System.nanoTime();
    try {
      return model.activationGradient(activations, rows, targets, targetOutputs);
    } finally {
      observer.called(rows, System.nanoTime() - start);
    }
  }
}
