package org.attribution.method;

/** Reading a model's outputs. */
public final class Outputs {

  private Outputs() {}

  /** The index, from {@code from}, of the largest of {@code length} outputs; the first of equals. */
  public static int argmax(float[] values, int from, int length) {
    int best = 0;
    for (int k = 1; k < length; k++) {
      if (values[from + k] > values[from + best]) {
        best = k;
      }
    }
    return best;
  }
}
