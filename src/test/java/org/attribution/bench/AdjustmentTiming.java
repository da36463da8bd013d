package org.attribution.bench;

import java.nio.file.Path;
import org.attribution.method.KernelShap;
import org.attribution.method.ShapleyKernelSampler;

/** Throwaway (issue 18): CPU per row of Kernel SHAP on a table game, with and without the tree adjustment. */
public final class AdjustmentTiming {
  public static void main(String[] args) {
    AccuracyProblems problem = args[0].equals("20") ? AccuracyProblems.twenty(Path.of("target/accuracy-data"))
        : AccuracyProblems.tanh(20, 8, 20);
    int budget = ShapleyKernelSampler.defaultBudget(problem.players());
    for (int round = 0; round < 2; round++) {
      for (int trees : new int[] {0, 50, 100, 200, 300}) {
        int repeats = 10;
        long start = System.nanoTime();
        AccuracyHarness.Result result = AccuracyHarness.measure(problem,
            game -> new KernelShap(game, game.background(), game.groups(), budget, 1 << 16, trees), repeats);
        double ms = (System.nanoTime() - start) / 1e6 / (problem.rows() * repeats);
        System.out.printf("round %d trees %d: %.1f ms/row (single thread), rel MAE %.2f%%, coverage %.1f%%%n",
            round, trees, ms, 100 * result.relativeMae(), 100 * result.coverage());
      }
    }
  }
}
