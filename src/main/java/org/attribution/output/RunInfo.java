package org.attribution.output;

/**
 * What identifies a run in every output row.
 *
 * @param runId unique id of this run
 * @param jobName the job file's name for the audit
 * @param modelName the model's name
 * @param modelSha256 SHA-256 of the model file
 * @param method the method's id
 */
public record RunInfo(String runId, String jobName, String modelName, String modelSha256, String method) {}
