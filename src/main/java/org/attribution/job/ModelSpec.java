package org.attribution.job;

import java.io.Serializable;

/**
 * What an executor needs to load the model the same way the driver checked it.
 *
 * @param name the model's name, for messages
 * @param sha256 SHA-256 of the model bytes: the cache key, with device and output
 * @param output the output transform id
 * @param device the device choice id
 * @param inputWidth the encoded input width
 * @param threadsPerTask libtorch intra-op threads per task
 */
record ModelSpec(String name, String sha256, String output, String device, int inputWidth, int threadsPerTask)
    implements Serializable {}
