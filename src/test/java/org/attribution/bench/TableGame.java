package org.attribution.bench;

import java.util.concurrent.atomic.AtomicLong;
import org.attribution.method.Background;
import org.attribution.method.FeatureGroups;
import org.attribution.model.ModelFunction;

/**
 * A cached coalition game served as a model, so that the coalition estimators run unchanged on
 * {@link AccuracyProblems}: one input column per player, the single background row all zeros and
 * row r's input {@code r + 1} in every column. A masked input then holds {@code r + 1} exactly on
 * the players present, and its output is the cached {@code v(S)} of row r. The model counts the
 * coalitions it is asked for.
 */
final class TableGame implements ModelFunction {

  private final AccuracyProblems problem;
  private final AtomicLong evaluated = new AtomicLong();

  TableGame(AccuracyProblems problem) {
    this.problem = problem;
  }

  /** The background the game needs: one row of zeros. */
  Background background() {
    return Background.uniform(new float[problem.players()], 1, problem.players());
  }

  /** One player per column. */
  FeatureGroups groups() {
    return FeatureGroups.identity(problem.players());
  }

  /** The inputs of rows {@code 0 .. rows - 1}. */
  float[] inputs(int rows) {
    int players = problem.players();
    float[] inputs = new float[rows * players];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = i / players + 1;
    }
    return inputs;
  }

  /** Inputs evaluated so far, and resets the count. */
  long takeCount() {
    return evaluated.getAndSet(0);
  }

  @Override
  public int inputWidth() {
    return problem.players();
  }

  @Override
  public int outputWidth() {
    return 1;
  }

  @Override
  public float[] forward(float[] inputs, int rows) {
    int players = problem.players();
    float[] out = new float[rows];
    for (int i = 0; i < rows; i++) {
      int subset = 0;
      int row = 0;
      for (int p = 0; p < players; p++) {
        float value = inputs[i * players + p];
        if (value != 0) {
          subset |= 1 << p;
          row = (int) value - 1;
        }
      }
      out[i] = (float) problem.values()[row][subset];
    }
    evaluated.addAndGet(rows);
    return out;
  }

  @Override
  public float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    throw new UnsupportedOperationException("A coalition table has no gradient");
  }
}
