package org.attribution.aggregate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.attribution.aggregate.GlobalImportance.Partial;

/**
 * The executor side of global importance: {@link ResultSums} for each finest group (a target and
 * one value of every segment column) of the result rows one task produces. The number of groups
 * is bounded by the segment value combinations, not by rows, and the driver merges them.
 */
public final class ImportanceAccumulator {

  /** How a missing segment value is reported. */
  static final String NULL_SEGMENT = "null";

  private final int features;
  private final Map<List<Object>, Partial> groups = new HashMap<>();

  /** No rows yet, for results of {@code features} features. */
  public ImportanceAccumulator(int features) {
    this.features = features;
  }

  /**
   * Adds one result row.
   *
   * @param target the explained output
   * @param targetName its label
   * @param segmentValues the row's value of each segment column, null where missing; not kept
   * @param prediction f(x) at the target
   * @param reference what completeness compares with
   * @param gap the completeness gap
   * @param attributions the row's attributions, {@code features} values from {@code offset}
   */
  public void add(int target, String targetName, String[] segmentValues, double prediction, double reference,
      double gap, double[] attributions, int offset) {
    List<String> values = new ArrayList<>(segmentValues.length);
    for (String value : segmentValues) {
      values.add(value == null ? NULL_SEGMENT : value);
    }
    List<Object> key = Partial.key(target, values);
    Partial group = groups.get(key);
    if (group == null) {
      group = new Partial(target, targetName, values, new ResultSums(features));
      groups.put(key, group);
    }
    group.sums().add(prediction, reference, gap, attributions, offset);
  }

  /** The statistics of every group seen so far. */
  public List<Partial> partials() {
    return new ArrayList<>(groups.values());
  }
}
