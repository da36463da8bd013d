package org.attribution.config;

import java.io.Serializable;
import java.util.List;

/**
 * A whole job file, bound and with defaults applied. Immutable; {@link JobConfigValidator}
 * checks it before anything runs.
 *
 * @param jobName names the audit in the manifest and the Spark UI
 * @param seed the run seed every random choice derives from, with the row id
 * @param background the SHAP methods' background; null for Integrated Gradients
 * @param segmentBy columns whose values each get their own importance rows, besides the overall
 *     rows
 * @param segmentMinRows segments with fewer rows are reported unranked and flagged as low count
 * @param drift how the run is compared with an earlier one
 * @param quality the quality measures taken on a sample of the explained rows
 * @param report what the HTML report shows besides the tables
 */
public record JobConfig(
    String jobName,
    Long seed,
    InputConfig input,
    FeaturesConfig features,
    ModelConfig model,
    TargetConfig target,
    MethodConfig method,
    BackgroundConfig background,
    List<String> segmentBy,
    Integer segmentMinRows,
    DriftConfig drift,
    OutputConfig output,
    ExecutionConfig execution,
    QualityConfig quality,
    ReportConfig report)
    implements Serializable {

  public JobConfig {
    jobName = jobName == null ? Defaults.JOB_NAME : jobName;
    seed = seed == null ? Defaults.SEED : seed;
    target = target == null ? new TargetConfig(null, null, null, null) : target;
    method = method == null ? new IntegratedGradientsConfig(null, null, null, null) : method;
    execution = execution == null ? new ExecutionConfig(null, null, null, null, null, null) : execution;
    segmentBy = segmentBy == null ? List.of() : List.copyOf(segmentBy);
    segmentMinRows = segmentMinRows == null ? Defaults.SEGMENT_MIN_ROWS : segmentMinRows;
    drift = drift == null ? new DriftConfig(null, null, null, null) : drift;
    quality = quality == null ? new QualityConfig(null, null, null, null, null) : quality;
    report = report == null ? new ReportConfig(null) : report;
    if (background == null && method.usesBackground()) {
      background = new BackgroundConfig(null, null, null, null, null);
    }
  }
}
