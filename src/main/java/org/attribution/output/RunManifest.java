package org.attribution.output;

import java.util.List;
import java.util.Map;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.FitQuality;
import org.attribution.aggregate.SamplingEffort;
import org.attribution.config.JobConfig;
import org.attribution.quality.QualityChange;
import org.attribution.quality.TargetQualitySummary;

/**
 * The per-run manifest: what ran, on what, how long it took and how good the result is.
 * Written as JSON with snake_case keys next to the tables.
 *
 * @param schemaVersion version of the audit tables' schemas
 * @param runId unique id of the run
 * @param dataset the input's path or table name
 * @param startedAt ISO-8601 start time (UTC)
 * @param finishedAt ISO-8601 end time (UTC)
 * @param sparkVersion the Spark version that ran the job
 * @param config the resolved configuration, defaults included
 * @param model the model as loaded
 * @param features the reported features, in model input order
 * @param encodedWidth the model's input width
 * @param execution batch sizes and threads as resolved for this run
 * @param background the SHAP background and base values; null for Integrated Gradients
 * @param rows row counts
 * @param rejectReasons rejected rows per reason, the most frequent first (at most 20 reasons)
 * @param timingsMs wall time of each phase in milliseconds
 * @param rowsPerSecond explained rows per second of attribution time
 * @param modelTaskSeconds time the executors' tasks spent inside model calls, summed over tasks
 *     (a retried task's attempts included); against the attribute phase's wall time times the
 *     concurrent tasks, it shows how much of the attribution was model compute
 * @param modelEvaluations rows the executors' tasks passed to the model in the explain stage (a
 *     retried task's attempts included): below the planned evaluations where sampling Shapley's
 *     orderings reach a coalition again, which is evaluated once
 * @param modelCallSplits model calls that ran out of memory and were split in two and retried
 * @param completeness completeness gaps per target
 * @param fit for a surrogate method (LIME), how well the rows' local fits describe the model, per
 *     target; null for the other methods
 * @param sampling with {@code method.target_error}, the evaluations the rows actually spent and the
 *     share that stopped at the cap short of the target; null without a target
 * @param drift the comparison with an earlier run; null for the first run of an audit
 * @param outputs where each output was written
 * @param quality the quality measures of the attributions, as in the quality table, with their
 *     cost and curves
 */
public record RunManifest(
    int schemaVersion,
    String runId,
    String dataset,
    String startedAt,
    String finishedAt,
    String sparkVersion,
    JobConfig config,
    Model model,
    List<String> features,
    int encodedWidth,
    Execution execution,
    BackgroundSummary background,
    Rows rows,
    Map<String, Long> rejectReasons,
    Map<String, Long> timingsMs,
    double rowsPerSecond,
    double modelTaskSeconds,
    long modelEvaluations,
    long modelCallSplits,
    List<Completeness> completeness,
    List<FitQuality> fit,
    SamplingEffort sampling,
    DriftSummary drift,
    Map<String, String> outputs,
    Quality quality) {

  /**
   * The model as loaded.
   *
   * @param name its name
   * @param path where it was read
   * @param sha256 SHA-256 of its bytes
   * @param sizeBytes file size
   * @param inputWidth encoded input width
   * @param inputType the floating type the model takes, found when it loaded ({@code float32} or
   *     {@code float64}); the job's float32 rows are converted to it exactly
   * @param outputWidth number of outputs
   * @param output the transform applied before explaining
   */
  public record Model(
      String name, String path, String sha256, long sizeBytes, int inputWidth, String inputType, int outputWidth,
      String output) {}

  /**
   * Batch sizes and threads as resolved.
   *
   * @param batchRows rows per method call
   * @param maxEvaluationRows the most rows per model call in the explain stage: {@code
   *     execution.call_rows} when set, else the size the executors measured fastest (the most
   *     common choice), else the memory budget's on a GPU
   * @param callRowsByExecutor the size each executor measured fastest and used, by executor id;
   *     null when none measured
   * @param callNanosPerRowByExecutor what that choice was made from: per executor id, the mean
   *     time per row its tasks measured for each call size timed, in nanoseconds; null when none
   *     measured
   * @param threadsPerTask libtorch intra-op threads per task
   * @param evaluationsPerRow model evaluations the method spends per explained row; for sampling
   *     Shapley at most, and the cap with a target error
   * @param plannedEvaluations model evaluations planned before the explain stage: input rows
   *     times targets per row times evaluations per row
   * @param estimatedSeconds the explain stage's time estimated from the model speed measured on
   *     the driver, to set against the attribute phase's actual time
   * @param baseline the baseline used by Integrated Gradients, or empty
   */
  public record Execution(int batchRows, int maxEvaluationRows, Map<String, Integer> callRowsByExecutor,
      Map<String, Map<Integer, Double>> callNanosPerRowByExecutor, int threadsPerTask, long evaluationsPerRow,
      long plannedEvaluations, double estimatedSeconds, float[] baseline) {}

  /**
   * The SHAP background.
   *
   * @param source sample, kmeans or dataset
   * @param requested rows (or clusters) asked for
   * @param rows rows it has; fewer than asked when the data has fewer
   * @param baseValues the expected model output over the background, per model output
   */
  public record BackgroundSummary(String source, int requested, int rows, double[] baseValues) {}

  /**
   * Row counts.
   *
   * @param read rows in the input
   * @param explained rows that were explained
   * @param rejected rows written to the rejects output
   * @param results per-row results with finite values (explained rows times targets per row)
   * @param nonFiniteResults per-row results the model gave NaN or infinite values, left out of
   *     every statistic (and kept, with those values, in the per-row table); their rows are
   *     rejects
   * @param duplicateIds explained rows whose id another explained row has too
   */
  public record Rows(
      long read, long explained, long rejected, long results, long nonFiniteResults, long duplicateIds) {}

  /**
   * Completeness of one target: how far attributions are from summing to f(x) - reference.
   *
   * @param target the output index
   * @param targetName its label
   * @param meanAbsGap mean |gap|
   * @param maxAbsGap largest |gap|
   * @param meanAbsDelta mean |f(x) - reference|, the scale the gap compares with
   */
  public record Completeness(int target, String targetName, double meanAbsGap, double maxAbsGap, double meanAbsDelta) {}

  /**
   * How far to trust the attributions: the quality measures, what they cost, and how they moved
   * since the run drift compares with.
   *
   * @param enabled whether the sampled measures were taken ({@code quality.enabled}); the
   *     completeness gap is always there
   * @param rows rows measured (a seeded sample of about {@code quality.rows})
   * @param perturbations perturbations per row, for max-sensitivity and infidelity each
   * @param radius the max-sensitivity radius, per column a multiple of its standard deviation
   * @param curveSteps the most points of a deletion or insertion curve after its start
   * @param evaluations model evaluations (rows) the quality pass spent, the report's sample and
   *     the rows explained again included
   * @param durationMs the quality pass's wall time
   * @param targets per target, the mean curves and the measures
   * @param comparedToRun the earlier run the measures are compared with; null for none
   * @param changes how each measure moved since {@code comparedToRun}; empty without one
   */
  public record Quality(boolean enabled, long rows, int perturbations, double radius, int curveSteps,
      long evaluations, long durationMs, List<TargetQualitySummary> targets, String comparedToRun,
      List<QualityChange> changes) {}
}
