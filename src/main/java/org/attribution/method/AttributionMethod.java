package org.attribution.method;

/**
 * An attribution method bound to one model: explains a batch of rows.
 *
 * <p>Implementations evaluate the whole batch in model calls of bounded size and never look at
 * Spark or engine types. Targets are chosen by the caller, never by the method.
 */
public interface AttributionMethod {

  /**
   * Explains {@code rows} rows.
   *
   * @param inputs {@code rows x columns} encoded inputs, row-major
   * @param rows number of rows
   * @param targets for each row, the model output to explain
   * @return per-player attributions of each row
   */
  Attributions attribute(float[] inputs, int rows, int[] targets);
}
