package org.attribution.job;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.attribution.model.ModelFunction;

/**
 * The model call size each executor runs the model fastest at, measured there, with the real
 * model and the method's kind of call, before the explain stage.
 *
 * <p>How fast a CPU runs a model per row depends on the call's size in ways no constant captures:
 * small calls pay libtorch's fixed cost per call, large ones spill the activations out of the
 * core's cache, and where the best lies between depends on the model's widths, the processor and
 * what else runs on it (the sample model was fastest at 2,048 rows on one machine and at 1,024 on
 * another). So each task of the executor preflight times calls of every {@link #CANDIDATES
 * candidate size} the memory budget and the task's work allow, all tasks at once as in the
 * explain stage, and the driver picks, per executor, the size with the lowest time per row
 * averaged over its tasks.
 *
 * <p>Results: the chosen size decides only how a row's evaluations are cut into calls; the
 * methods fold every value in a fixed order per row, so a result changes with the call size only
 * where libtorch's float32 result for a row depends on the rest of its call (not for the sample
 * model: {@code InvarianceTest}, {@code ShapBatchingTest}). For other models, timings can
 * pick another size in another run, and the manifest records the size each executor used;
 * {@code execution.call_rows} fixes it.
 */
final class CallCalibration {

  /**
   * The call sizes timed, those the memory budget and the task's work allow. Not larger: with 8,192
   * and 16,384 on offer, the executors chose 8,192-row forward calls for Kernel SHAP and its
   * benchmark job took 1.87 times its compute bound (the code without them took 1.77 on the same
   * day), and gradient calls still chose 1,024 rows: no gain for the extra timing and memory.
   */
  static final int[] CANDIDATES = {256, 512, 1024, 2048, 4096};

  /**
   * A size is timed only if a task's evaluations fill at least this many calls of it: a size
   * larger than that could change little of the task's time, while timing it costs a few calls.
   */
  static final int MIN_CALLS_PER_TASK = 16;

  /**
   * A size within this share of the fastest per row counts as as fast, and the smallest such
   * wins: it needs less memory, and timings on a busy machine differ by that much between runs.
   */
  static final double TIE = 0.03;

  /**
   * Timed rounds, after a warm-up call of each size. In each round every size evaluates {@link
   * #ROWS_PER_ROUND} rows, in calls of its size, so that a busy machine taking the core away
   * (for a whole scheduler slice) hits every size alike instead of sparing short calls. Each round
   * starts one size later than the one before, and each size's median round counts: a task's
   * first and last sizes may run while the other tasks are still starting or already done, with
   * the core to themselves. With the sizes always in ascending order and the fastest round
   * counting, that alone could make the largest size look fastest; one sampling Shapley benchmark
   * job whose executors chose 4,096 rows ran its calls 2.4 times as long as the bound's 512-row
   * calls (the same calls replayed alone: 1.3 times).
   */
  static final int ROUNDS = 3;

  /** Rows each size evaluates per round: the largest candidate's call. */
  static final int ROWS_PER_ROUND = 4096;

  private CallCalibration() {}

  /**
   * What to time.
   *
   * @param gradients whether the method's calls compute gradients
   * @param budgetRows the most rows the memory budget allows in one call
   * @param taskEvaluations the model evaluations one task of the explain stage makes, planned
   */
  record Request(boolean gradients, int budgetRows, long taskEvaluations) implements Serializable {}

  /**
   * One task's time per row for calls of one size.
   *
   * @param executor the executor the task ran on
   * @param rows rows per call
   * @param nanosPerRow nanoseconds per row in the size's median round
   */
  record Timing(String executor, int rows, double nanosPerRow) implements Serializable {}

  /**
   * The candidate sizes a budget allows that a task fills {@link #MIN_CALLS_PER_TASK} times, the
   * smallest one the budget allows at least; the budget itself when it is below every candidate.
   */
  static int[] sizes(int budgetRows, long taskEvaluations) {
    int[] sizes = Arrays.stream(CANDIDATES)
        .filter(size -> size <= budgetRows)
        .filter(size -> size == CANDIDATES[0] || (long) size * MIN_CALLS_PER_TASK <= taskEvaluations)
        .toArray();
    return sizes.length == 0 ? new int[] {budgetRows} : sizes;
  }

  /**
   * Times calls of each size on this thread: a warm-up call of each, then {@link #ROUNDS} rounds
   * of {@link #ROWS_PER_ROUND} rows per size, interleaved so that a change in the machine's speed
   * touches every size.
   */
  static List<Timing> time(ModelFunction model, Request request, String executor) {
    boolean gradients = request.gradients();
    int[] sizes = sizes(request.budgetRows(), request.taskEvaluations());
    int width = model.inputWidth();
    // Inputs that are not all equal, so no kernel can take a shortcut on them.
    float[] inputs = new float[sizes[sizes.length - 1] * width];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = (i * 7919 % 1000) / 1000f;
    }
    double[][] rounds = new double[sizes.length][ROUNDS];
    for (int round = 0; round <= ROUNDS; round++) {
      for (int i = 0; i < sizes.length; i++) {
        int k = round == 0 ? i : (i + round - 1) % sizes.length;
        int rows = sizes[k];
        float[] call = Arrays.copyOf(inputs, rows * width);
        int[] targets = new int[rows];
        int calls = round == 0 ? 1 : Math.max(1, ROWS_PER_ROUND / rows);
        long start = System.nanoTime();
        for (int c = 0; c < calls; c++) {
          if (gradients) {
            model.gradient(call, rows, targets, null);
          } else {
            model.forward(call, rows);
          }
        }
        if (round > 0) {
          rounds[k][round - 1] = (double) (System.nanoTime() - start) / ((long) calls * rows);
        }
      }
    }
    List<Timing> timings = new ArrayList<>();
    for (int k = 0; k < sizes.length; k++) {
      timings.add(new Timing(executor, sizes[k], median(rounds[k])));
    }
    return timings;
  }

  /** The median of the values, the mean of the middle two for an even count. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /**
   * Per executor, each timed size's mean time per row over its tasks' timings, in nanoseconds:
   * what the choice is made from, and what the manifest reports, so that a choice can be checked
   * against the timings of a benchmark or another run.
   */
  static Map<String, Map<Integer, Double>> meanNanosPerRow(List<Timing> timings) {
    Map<String, Map<Integer, double[]>> sums = new TreeMap<>();
    for (Timing t : timings) {
      double[] sum = sums.computeIfAbsent(t.executor(), e -> new TreeMap<>())
          .computeIfAbsent(t.rows(), r -> new double[2]);
      sum[0] += t.nanosPerRow();
      sum[1]++;
    }
    Map<String, Map<Integer, Double>> means = new TreeMap<>();
    sums.forEach((executor, bySize) -> {
      Map<Integer, Double> mean = new TreeMap<>();
      bySize.forEach((rows, sum) -> mean.put(rows, sum[0] / sum[1]));
      means.put(executor, mean);
    });
    return means;
  }

  /** Per executor, the size with the lowest mean time per row over its tasks' timings. */
  static Map<String, Integer> choose(List<Timing> timings) {
    return fastest(meanNanosPerRow(timings));
  }

  /**
   * Per executor, in executor order, the smallest size within {@link #TIE} of the lowest time per
   * row.
   *
   * @param nanosPerRow per executor, time per row by size, as {@link #meanNanosPerRow} gives it
   */
  static Map<String, Integer> fastest(Map<String, Map<Integer, Double>> nanosPerRow) {
    Map<String, Integer> chosen = new TreeMap<>();
    nanosPerRow.forEach((executor, bySize) -> {
      double best = bySize.values().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
      // Sizes ascend in the TreeMap: the first within the tie margin is the smallest.
      for (Map.Entry<Integer, Double> e : new TreeMap<>(bySize).entrySet()) {
        if (e.getValue() <= best * (1 + TIE)) {
          chosen.put(executor, e.getKey());
          break;
        }
      }
    });
    return chosen;
  }

  /**
   * The size most executors chose (the smaller one on a tie), or {@code fallback} when none
   * measured: what the manifest reports as the explain stage's call size.
   */
  static int mostCommon(Map<String, Integer> chosen, int fallback) {
    Map<Integer, Integer> votes = new TreeMap<>();
    chosen.values().forEach(size -> votes.merge(size, 1, Integer::sum));
    int best = fallback;
    int most = 0;
    for (Map.Entry<Integer, Integer> e : votes.entrySet()) {
      if (e.getValue() > most) {
        best = e.getKey();
        most = e.getValue();
      }
    }
    return best;
  }
}
