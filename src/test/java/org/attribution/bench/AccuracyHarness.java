package org.attribution.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.attribution.config.Defaults;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Attributions;
import org.attribution.method.KernelShap;
import org.attribution.method.KernelShapAdjustment;
import org.attribution.method.SamplingShapley;
import org.attribution.method.ShapleyKernelSampler;

/**
 * {@code scripts/bench.sh --accuracy}: the sampling estimators against exact Shapley values on the
 * {@link AccuracyProblems}, per method and budget: relative MAE {@code sum |phi - exact| / sum
 * |exact|}, how often the top feature (largest |phi|) is the exact one's, the share of errors within
 * 1.96 standard errors, and the model evaluations spent per row (coalitions times background rows,
 * plus f(x)); with a target error, also the share of rows that stopped at the cap short of it; and
 * the estimator's own CPU time per row on one thread (the table game's evaluations cost next to
 * nothing, so this is the sampling and fitting a real model's evaluations come on top of). Each
 * setting runs {@code --repeats} times with run seeds 1, 2, ...; row r's seed is a function of the
 * run seed and r, as in the job.
 */
public final class AccuracyHarness {

  private AccuracyHarness() {}

  /** One method at one setting. */
  record Setting(String method, String setting, Function<TableGame, AttributionMethod> factory) {}

  /** The measured errors of one setting on one problem. */
  record Result(double relativeMae, double topOne, double coverage, double evaluationsPerRow, double maxGap,
      double shareAtCap, double msPerRow) {}

  public static void main(String[] args) {
    Path cacheDir = Path.of("target/accuracy-data");
    int repeats = 5;
    List<String> problems = List.of("17", "20");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--accuracy" -> { }
        case "--cache-dir" -> cacheDir = Path.of(args[++i]);
        case "--repeats" -> repeats = Integer.parseInt(args[++i]);
        case "--problems" -> problems = List.of(args[++i].split(","));
        default -> throw new IllegalArgumentException("Unknown option " + args[i]
            + " (accuracy options: --cache-dir DIR, --repeats N, --problems 17,20,sample17,sample20,tanh17,tanh20)");
      }
    }
    for (String which : problems) {
      AccuracyProblems problem = switch (which) {
        case "17" -> AccuracyProblems.seventeen(cacheDir);
        case "20" -> AccuracyProblems.twenty(cacheDir);
        case "sample17" -> AccuracyProblems.sampleSeventeen(cacheDir);
        case "sample20" -> AccuracyProblems.sampleTwenty(cacheDir);
        case "tanh17" -> AccuracyProblems.tanh(17, 16, 17);
        case "tanh20" -> AccuracyProblems.tanh(20, 8, 20);
        default -> throw new IllegalArgumentException("Unknown problem " + which + " (17, 20, sample17, sample20, tanh17, tanh20)");
      };
      System.out.printf("%n### %s, %d rows, %d repeats%n%n", problem.name(), problem.rows(), repeats);
      System.out.println("| method | setting | evaluations per row | relative MAE | top-1 agrees"
          + " | within 1.96 se | max gap | rows at cap | CPU ms per row |");
      System.out.println("|---|---|--:|--:|--:|--:|--:|--:|--:|");
      for (Setting setting : settings(problem.players())) {
        Result result = measure(problem, setting.factory(), repeats);
        System.out.printf("| %s | %s | %,.0f | %.2f%% | %.1f%% | %.1f%% | %.1e | %s | %.1f |%n",
            setting.method(), setting.setting(), result.evaluationsPerRow(), 100 * result.relativeMae(),
            100 * result.topOne(), 100 * result.coverage(), result.maxGap(),
            Double.isNaN(result.shareAtCap()) ? "" : String.format("%.0f%%", 100 * result.shareAtCap()),
            result.msPerRow());
      }
    }
  }

  /** The budgets swept: kernel_shap around its default, sampling_shapley around its default. */
  static List<Setting> settings(int players) {
    List<Setting> settings = new ArrayList<>();
    int byDefault = ShapleyKernelSampler.defaultBudget(players);
    for (int budget : new int[] {byDefault / 4, byDefault / 2, byDefault, 2 * byDefault, 4 * byDefault}) {
      settings.add(new Setting("kernel_shap", "budget " + budget + ", no adjustment",
          game -> new KernelShap(game, game.background(), game.groups(), budget, 1 << 16)));
    }
    for (int budget : new int[] {byDefault / 2, byDefault, 2 * byDefault}) {
      String label = "budget " + budget + ", cubic adjustment" + (budget == byDefault ? " (default)" : "");
      settings.add(new Setting("kernel_shap", label, game -> new KernelShap(game, game.background(), game.groups(),
          budget, 1 << 16, 0, KernelShapAdjustment.CUBIC)));
    }
    for (int trees : new int[] {100, 300}) {
      settings.add(new Setting("kernel_shap", "budget " + byDefault + ", " + trees + " adjustment trees",
          game -> new KernelShap(game, game.background(), game.groups(), byDefault, 1 << 16, 0,
              KernelShapAdjustment.trees(trees))));
    }
    for (double target : new double[] {0.05, 0.02}) {
      settings.add(new Setting("kernel_shap", "target_error " + target + ", cap " + byDefault + ", cubic adjustment",
          game -> new KernelShap(game, game.background(), game.groups(), byDefault, 1 << 16, target,
              KernelShapAdjustment.CUBIC)));
    }
    int defaultPermutations = Defaults.SAMPLING_SHAPLEY_PERMUTATIONS;
    for (int permutations : new int[] {16, 32, 64, 128, 256}) {
      String label = permutations + " permutations" + (permutations == defaultPermutations ? " (default)" : "");
      settings.add(new Setting("sampling_shapley", label,
          game -> new SamplingShapley(game, game.background(), game.groups(), permutations, 1 << 16)));
    }
    for (double target : new double[] {0.05, 0.02}) {
      int cap = 2 * defaultPermutations;
      settings.add(new Setting("sampling_shapley", "target_error " + target + ", cap " + cap,
          game -> new SamplingShapley(game, game.background(), game.groups(), cap, 1 << 16, target)));
    }
    return settings;
  }

  /** Runs a setting {@code repeats} times over all rows of a problem. */
  static Result measure(AccuracyProblems problem, Function<TableGame, AttributionMethod> factory, int repeats) {
    TableGame game = new TableGame(problem);
    AttributionMethod method = factory.apply(game);
    int rows = problem.rows();
    int players = problem.players();
    float[] inputs = game.inputs(rows);
    int[] targets = new int[rows];
    double absError = 0;
    double absExact = 0;
    long topAgrees = 0;
    long covered = 0;
    long withError = 0;
    long coalitions = 0;
    double maxGap = 0;
    long atCap = 0;
    boolean toTarget = false;
    long nanos = 0;
    for (int repeat = 1; repeat <= repeats; repeat++) {
      long[] seeds = new long[rows];
      for (int r = 0; r < rows; r++) {
        seeds[r] = repeat * 0x9E3779B97F4A7C15L + r;
      }
      game.takeCount();
      long start = System.nanoTime();
      Attributions result = method.attribute(inputs, rows, targets, seeds);
      nanos += System.nanoTime() - start;
      // f(x) of every row is one evaluation of the full coalition.
      coalitions += game.takeCount() - rows;
      if (result.effort() != null) {
        toTarget = true;
        for (boolean met : result.effort().targetMet()) {
          atCap += met ? 0 : 1;
        }
      }
      for (int r = 0; r < rows; r++) {
        double[] exact = problem.exact()[r];
        maxGap = Math.max(maxGap, Math.abs(result.gap(r)));
        int top = 0;
        int exactTop = 0;
        for (int p = 0; p < players; p++) {
          double value = result.value(r, p);
          double error = Math.abs(value - exact[p]);
          absError += error;
          absExact += Math.abs(exact[p]);
          double se = result.standardError(r, p);
          if (Double.isFinite(se) && se > 0) {
            withError++;
            covered += error <= 1.96 * se ? 1 : 0;
          }
          top = Math.abs(value) > Math.abs(result.value(r, top)) ? p : top;
          exactTop = Math.abs(exact[p]) > Math.abs(exact[exactTop]) ? p : exactTop;
        }
        topAgrees += top == exactTop ? 1 : 0;
      }
    }
    double perRow = (double) coalitions / ((long) rows * repeats) * problem.backgroundRows() + 1;
    return new Result(absError / absExact, (double) topAgrees / ((long) rows * repeats),
        withError == 0 ? Double.NaN : (double) covered / withError, perRow, maxGap,
        toTarget ? (double) atCap / ((long) rows * repeats) : Double.NaN, nanos / 1e6 / ((long) rows * repeats));
  }
}
