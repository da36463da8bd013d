package org.attribution.config;

import java.io.Serializable;

/**
 * The background distribution of the SHAP methods: what an absent feature is replaced with, and
 * whose mean model output is the base value.
 *
 * @param source {@code sample} (a seeded sample of the explained rows), {@code kmeans} (k-means
 *     centroids of a seeded sample of the explained rows, weighted by cluster size) or {@code
 *     dataset} (rows of another input, sampled down to {@code size})
 * @param size rows for {@code sample} and {@code dataset}
 * @param k clusters for {@code kmeans}
 * @param kmeansRows rows {@code kmeans} clusters at most (the same seeded sample as {@code
 *     sample}'s); clustered on the driver
 * @param input the other input for {@code dataset}; read and encoded like the main input
 */
public record BackgroundConfig(String source, Integer size, Integer k, Integer kmeansRows, InputConfig input)
    implements Serializable {

  public BackgroundConfig {
    source = source == null ? Defaults.BACKGROUND_SOURCE : source;
    size = size == null ? Defaults.BACKGROUND_SIZE : size;
    k = k == null ? Defaults.BACKGROUND_CLUSTERS : k;
    kmeansRows = kmeansRows == null ? Defaults.BACKGROUND_KMEANS_ROWS : kmeansRows;
  }
}
