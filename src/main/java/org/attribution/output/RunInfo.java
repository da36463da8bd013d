package org.attribution.output;

import java.time.Instant;

/**
 * What identifies a run in every output row.
 *
 * @param runId unique id of this run
 * @param startedAt when it started; its UTC date is the run's partition
 * @param jobName the job file's name for the audit
 * @param dataset the input's path or table name
 * @param modelName the model's name
 * @param modelSha256 SHA-256 of the model file
 * @param method the method's id
 */
public record RunInfo(
    String runId, Instant startedAt, String jobName, String dataset, String modelName, String modelSha256,
    String method) {}
