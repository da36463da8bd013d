package org.attribution.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.attribution.model.ModelFunction;

/** Passes calls through to a model and counts them by kind and rows per call. */
final class RecordingModel implements ModelFunction {

  private final ModelFunction model;
  /** (gradient ? 1 : 0, rows) to calls, ordered gradient first then by rows. */
  private final Map<List<Integer>, Long> calls = new TreeMap<>((a, b) -> {
    int byKind = Integer.compare(b.get(0), a.get(0));
    return byKind != 0 ? byKind : Integer.compare(b.get(1), a.get(1));
  });

  RecordingModel(ModelFunction model) {
    this.model = model;
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
  public synchronized float[] forward(float[] inputs, int rows) {
    calls.merge(List.of(0, rows), 1L, Long::sum);
    return model.forward(inputs, rows);
  }

  @Override
  public synchronized float[] gradient(float[] inputs, int rows, int[] targets, float[] targetOutputs) {
    calls.merge(List.of(1, rows), 1L, Long::sum);
    return model.gradient(inputs, rows, targets, targetOutputs);
  }

  synchronized void clear() {
    calls.clear();
  }

  /** The recorded calls, each count multiplied by {@code scale} and rounded (at least 1). */
  synchronized List<ComputeBound.Calls> scaled(double scale) {
    List<ComputeBound.Calls> out = new ArrayList<>();
    calls.forEach((key, count) -> out.add(
        new ComputeBound.Calls(key.get(0) == 1, key.get(1), Math.max(1, Math.round(count * scale)))));
    return out;
  }
}
