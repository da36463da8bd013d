package org.attribution.config;

import java.util.Map;

/**
 * Every default of the job file, in one place. Records substitute these for absent keys, so the
 * manifest's resolved configuration shows what actually ran.
 */
public final class Defaults {

  public static final String JOB_NAME = "attribution";
  public static final long SEED = 42L;

  public static final String INPUT_FORMAT = "parquet";
  /** CSV without a header or typed columns is almost never what an audit means. */
  public static final Map<String, String> CSV_OPTIONS = Map.of("header", "true", "inferSchema", "true");

  /**
   * An audit that silently leaves out most of its data is worse than one that fails: past half
   * the rows rejected, the run is refused (its rejects are kept for inspection).
   */
  public static final double MAX_REJECT_SHARE = 0.5;

  public static final String MODEL_OUTPUT = "identity";
  public static final String DEVICE = "auto";

  public static final String TARGET_MODE = "predicted";

  public static final String METHOD = IntegratedGradientsConfig.ID;

  public static final int IG_STEPS = 50;
  public static final String IG_RULE = "gauss_legendre";
  public static final String IG_BASELINE = "zeros";

  public static final boolean SALIENCY_ABSOLUTE = true;

  /** Smilkov et al. (2017) found 50 copies enough for visually stable maps and little gain beyond. */
  public static final int SMOOTHGRAD_SAMPLES = 50;
  /** Smilkov et al. recommend noise of 10 to 20 percent of the input's spread. */
  public static final double SMOOTHGRAD_NOISE_STD = 0.15;
  public static final String SMOOTHGRAD_AGGREGATE = "mean";
  public static final String SMOOTHGRAD_WRAPS = SaliencyConfig.ID;

  /** Occluding with the background makes occlusion compare with the same data SHAP does. */
  public static final String OCCLUSION_BASELINE = OcclusionConfig.BACKGROUND;

  /**
   * The lime library's default is 5,000; a ridge fit over tens of players is stable with a
   * thousand, at a fifth of the cost.
   */
  public static final int LIME_SAMPLES = 1000;
  /** The lime library's kernel width: 0.75 times the square root of the number of features. */
  public static final double LIME_KERNEL_WIDTH_FACTOR = 0.75;
  /** The lime library's surrogate: scikit-learn's Ridge with its default penalty. */
  public static final double LIME_ALPHA = 1.0;

  /**
   * Kernel SHAP's adjustment: the cubic surrogate took the 20-player accuracy problem from 3.6% to
   * 2.7% relative error at the default budget, for 1.6 to 2.3 times plain Kernel SHAP's own CPU per
   * row (BENCHMARKS.md).
   */
  public static final String KERNEL_SHAP_ADJUSTMENT = "cubic";
  /** 100 trees per fold: 3.6% to 2.4% on that problem; 300 gave 2.1% for three times the CPU. */
  public static final int KERNEL_SHAP_ADJUSTMENT_TREES = 100;

  /** Expected gradients needs many samples to average out; SHAP's GradientExplainer uses 200. */
  public static final int GRADIENT_SHAP_SAMPLES = 200;
  /**
   * 64 antithetic pairs: about Kernel SHAP's default cost in evaluations per row at 17 to 20
   * players, and under 5% relative error there (4.3% on the 20-player accuracy problem, where 32
   * permutations gave 9.7%; BENCHMARKS.md).
   */
  public static final int SAMPLING_SHAPLEY_PERMUTATIONS = 128;
  /**
   * Exact Shapley's player limit unless the job accepts more: 65,534 coalitions per row; each
   * player more doubles it (up to 20 players, a million).
   */
  public static final int EXACT_SHAPLEY_MAX_PLAYERS = 16;

  /** scikit-learn's permutation_importance repeats 5 times by default. */
  public static final int PERMUTATION_REPEATS = 5;

  public static final String BACKGROUND_SOURCE = "sample";
  /** SHAP's documentation suggests 100 background rows: base values to about 1% at 100x cost. */
  public static final int BACKGROUND_SIZE = 100;
  public static final int BACKGROUND_CLUSTERS = 20;
  /**
   * Enough rows to place 20 centroids well (hundreds per cluster), few enough to cluster on the
   * driver in about a second: 10,000 rows of 119 columns are 10 MB as doubles.
   */
  public static final int BACKGROUND_KMEANS_ROWS = 10_000;

  public static final boolean PER_ROW = false;

  /** Plain Parquet directories: readable by anything, with no catalog to set up. */
  public static final String OUTPUT_FORMAT = "parquet";

  /** Below this many rows a segment's ranks are noise; it is reported unranked and flagged. */
  public static final int SEGMENT_MIN_ROWS = 30;
  public static final String DRIFT_COMPARE_TO = "previous";
  public static final int DRIFT_TOP_K = 10;

  public static final boolean QUALITY_ENABLED = true;
  /** A standard error of a few percent of a measure's spread across rows, at a small share of a run's cost. */
  public static final int QUALITY_ROWS = 1_000;
  /**
   * With {@link #QUALITY_PERTURBATIONS} re-explanations per measured row, measuring at most 5% of
   * the input keeps the pass under about a third of the run's own cost on a small input.
   */
  public static final double QUALITY_MAX_SHARE = 0.05;
  /** "A few" draws, as in Yeh et al. (2019); each costs a re-explained row. */
  public static final int QUALITY_PERTURBATIONS = 5;
  /** Small next to a feature's spread, so that perturbed rows stay near the data. */
  public static final double QUALITY_RADIUS = 0.1;
  /**
   * The most points of a deletion or insertion curve after its start: with more players, players
   * are removed a few at a time, so a curve costs at most four times this many coalition values.
   */
  public static final int QUALITY_CURVE_STEPS = 20;
  /** Enough dots for a summary plot to show a feature's distribution, few enough to keep the report small. */
  public static final int REPORT_SAMPLE_ROWS = 2_000;

  /**
   * Native memory one task may use for a model call. 256 MiB keeps 8 concurrent tasks well
   * inside a typical 4 GiB executor overhead while still giving batches of many thousand rows.
   */
  public static final int MEMORY_BUDGET_MB = 256;

  /**
   * Rows per model call on the CPU. Calls whose activations stay in the core's cache run faster
   * than the largest the memory budget allows: alone, the sample model (119 -> 64 -> 32 -> 2) on
   * one libtorch thread computes gradients 1.2 to 1.4 times as fast per row in calls of 512 to
   * 1,024 rows as in calls of 65,536. Inside the job, 1,024-row calls beat 512-row ones in three
   * interleaved pairs of 300,000-row IG runs (BENCHMARKS.md). On a GPU, larger calls are what
   * fill the device, so there the budget alone sets the size. The explain stage's executors
   * measure their own fastest size instead (see {@code CallCalibration}); this one serves the
   * driver's checks and any executor that did not measure.
   */
  public static final int CPU_CALL_ROWS = 1024;

  /**
   * A plan this large is a mistake far more often than an audit: ten trillion evaluations are
   * Kernel SHAP at its defaults on fifty million rows, or days of a hundred cores for the sample
   * model. A real audit of that size raises the limit on purpose.
   */
  public static final long MAX_EVALUATIONS = 10_000_000_000_000L;

  /** Often enough to see a long run move, rarely enough not to flood a scheduler's log. */
  public static final int PROGRESS_SECONDS = 30;

  private Defaults() {}
}
