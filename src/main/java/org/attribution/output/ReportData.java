package org.attribution.output;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.attribution.aggregate.DriftRow;
import org.attribution.aggregate.DriftSummary;
import org.attribution.aggregate.ImportanceRow;
import org.attribution.aggregate.SamplingEffort;

/**
 * Everything the {@link HtmlReport} shows, as plain values: the report depends on no job,
 * configuration or Spark type, so it can be rendered from a finished run's outputs alone.
 *
 * @param run what ran, on what, and when
 * @param rows row counts and throughput
 * @param rejectReasons rejected rows per reason; empty when none were rejected. When it holds
 *     only the most frequent reasons, the report shows the rest as "other reasons"
 * @param completeness completeness gaps per target
 * @param baseValues per target index, the model output the attributions are measured from (the
 *     reference, or the mean background prediction); empty when the method has none
 * @param importance the importance rows: the overall ones ({@code segmentColumn == null}) and
 *     those of every segment
 * @param drift how each feature moved since the previous run; null when there is no previous run
 * @param driftSummary the drift of the whole run; null exactly when {@code drift} is null
 * @param topN how many features each chart and table shows per target
 * @param image where the players lie in the image, for an image model's heat maps; null for
 *     other models
 * @param quality the run's quality measures and curves; null for a report without them
 * @param sample the sampled rows the summary and dependence plots draw; null for none
 */
public record ReportData(
    Run run,
    Rows rows,
    Map<String, Long> rejectReasons,
    List<RunManifest.Completeness> completeness,
    Map<Integer, Double> baseValues,
    List<ImportanceRow> importance,
    List<DriftRow> drift,
    DriftSummary driftSummary,
    int topN,
    ImageLayout image,
    RunManifest.Quality quality,
    ReportSample sample) {

  /** The number of features shown per target unless told otherwise. */
  public static final int DEFAULT_TOP_N = 15;

  public ReportData {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(rows, "rows");
    // Kept in the caller's order: the manifest lists reasons most frequent first.
    rejectReasons = Collections.unmodifiableMap(new LinkedHashMap<>(rejectReasons));
    completeness = List.copyOf(completeness);
    baseValues = Map.copyOf(baseValues);
    importance = List.copyOf(importance);
    if ((drift == null) != (driftSummary == null)) {
      throw new IllegalArgumentException(
          "Cannot build report data: drift rows and drift summary must both be given or both be null");
    }
    drift = drift == null ? null : List.copyOf(drift);
    if (topN < 1) {
      throw new IllegalArgumentException("Cannot build report data: topN must be at least 1, got " + topN);
    }
  }

  /** Report data showing {@link #DEFAULT_TOP_N} features per target. */
  public ReportData(
      Run run,
      Rows rows,
      Map<String, Long> rejectReasons,
      List<RunManifest.Completeness> completeness,
      Map<Integer, Double> baseValues,
      List<ImportanceRow> importance,
      List<DriftRow> drift,
      DriftSummary driftSummary) {
    this(run, rows, rejectReasons, completeness, baseValues, importance, drift, driftSummary, DEFAULT_TOP_N);
  }

  /** Report data without an image layout, quality measures or sampled rows. */
  public ReportData(
      Run run,
      Rows rows,
      Map<String, Long> rejectReasons,
      List<RunManifest.Completeness> completeness,
      Map<Integer, Double> baseValues,
      List<ImportanceRow> importance,
      List<DriftRow> drift,
      DriftSummary driftSummary,
      int topN) {
    this(run, rows, rejectReasons, completeness, baseValues, importance, drift, driftSummary, topN, null, null, null);
  }

  /** This report with the run's quality measures and sampled rows. */
  public ReportData withQuality(RunManifest.Quality quality, ReportSample sample) {
    return new ReportData(run, rows, rejectReasons, completeness, baseValues, importance, drift, driftSummary, topN,
        image, quality, sample);
  }

  /** Whether the run was compared with a previous one. */
  public boolean hasDrift() {
    return driftSummary != null;
  }

  /**
   * What ran, on what, and when.
   *
   * @param runId unique id of the run
   * @param jobName the job's name for the audit
   * @param modelName the model's name
   * @param modelSha256 SHA-256 of the model file, in hex
   * @param datasetName the explained data: its path or table name
   * @param method the method's id, e.g. {@code integrated_gradients}
   * @param startedAt ISO-8601 start time (UTC)
   * @param finishedAt ISO-8601 end time (UTC)
   */
  public record Run(
      String runId,
      String jobName,
      String modelName,
      String modelSha256,
      String datasetName,
      String method,
      String startedAt,
      String finishedAt) {}

  /**
   * Row counts and throughput.
   *
   * @param read rows in the input
   * @param explained rows that were explained
   * @param rejected rows that could not be explained
   * @param perSecond explained rows per second of attribution time
   * @param sampling with a target error, what the rows spent to meet it; null without one
   */
  public record Rows(long read, long explained, long rejected, double perSecond, SamplingEffort sampling) {

    /** Counts of a run without a target error. */
    public Rows(long read, long explained, long rejected, double perSecond) {
      this(read, explained, rejected, perSecond, null);
    }
  }

  /** The report data of a run, from its manifest, importance, drift and sampled rows (null for none). */
  public static ReportData of(RunManifest manifest, List<ImportanceRow> importance, List<DriftRow> drift,
      ReportSample sample) {
    Map<Integer, Double> baseValues = new java.util.TreeMap<>();
    if (manifest.background() != null) {
      double[] values = manifest.background().baseValues();
      manifest.completeness().forEach(c -> baseValues.put(c.target(), values[c.target()]));
    }
    return new ReportData(
        new Run(manifest.runId(), manifest.config().jobName(), manifest.model().name(), manifest.model().sha256(),
            manifest.dataset(), manifest.config().method().id(), manifest.startedAt(), manifest.finishedAt()),
        new Rows(manifest.rows().read(), manifest.rows().explained(), manifest.rows().rejected(),
            manifest.rowsPerSecond(), manifest.sampling()),
        manifest.rejectReasons(), manifest.completeness(), baseValues, importance, drift, manifest.drift(),
        DEFAULT_TOP_N, ImageLayout.of(manifest.config().model(), manifest.config().features(), manifest.features()),
        manifest.quality(), sample);
  }
}
