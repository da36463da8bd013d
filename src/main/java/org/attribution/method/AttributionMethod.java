package org.attribution.method;

/**
 * An attribution method bound to one model: explains a batch of rows.
 *
 * <p>Implementations evaluate the whole batch in model calls of bounded size and never look at
 * Spark or engine types. Targets are chosen by the caller, never by the method. Sampling methods
 * draw every random choice for a row from that row's seed alone, so a row's result does not
 * depend on which batch, partition or task attempt it lands in.
 */
public interface AttributionMethod {

  /**
   * Explains {@code rows} rows.
   *
   * @param inputs {@code rows x columns} encoded inputs, row-major
   * @param rows number of rows
   * @param targets for each row, the model output to explain
   * @param rowSeeds for each row, the seed of its random choices (derived from the run seed and
   *     the row id); deterministic methods ignore it
   * @return per-player attributions of each row
   */
  Attributions attribute(float[] inputs, int rows, int[] targets, long[] rowSeeds);

  /** Explains rows with a deterministic method, or with every row's seed 0. */
  default Attributions attribute(float[] inputs, int rows, int[] targets) {
    return attribute(inputs, rows, targets, new long[rows]);
  }
}
