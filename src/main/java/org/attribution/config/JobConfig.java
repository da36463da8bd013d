package org.attribution.config;

import java.io.Serializable;

/**
 * A whole job file, bound and with defaults applied. Immutable; {@link JobConfigValidator}
 * checks it before anything runs.
 *
 * @param jobName names the audit in the manifest and the Spark UI
 * @param seed the run seed every random choice derives from, with the row id
 */
public record JobConfig(
    String jobName,
    Long seed,
    InputConfig input,
    FeaturesConfig features,
    ModelConfig model,
    TargetConfig target,
    MethodConfig method,
    OutputConfig output,
    ExecutionConfig execution)
    implements Serializable {

  public JobConfig {
    jobName = jobName == null ? Defaults.JOB_NAME : jobName;
    seed = seed == null ? Defaults.SEED : seed;
    target = target == null ? new TargetConfig(null, null, null) : target;
    method = method == null ? new IntegratedGradientsConfig(null, null, null, null) : method;
    execution = execution == null ? new ExecutionConfig(null, null, null) : execution;
  }
}
