package org.attribution.config;

import java.io.Serializable;

/**
 * The background distribution of the SHAP methods: what an absent feature is replaced with, and
 * whose mean model output is the base value.
 *
 * @param source {@code sample} (a seeded sample of the explained rows), {@code kmeans} (Spark
 *     MLlib k-means centroids of the explained rows, weighted by cluster size) or {@code dataset}
 *     (rows of another input, sampled down to {@code size})
 * @param size rows for {@code sample} and {@code dataset}
 * @param k clusters for {@code kmeans}
 * @param input the other input for {@code dataset}; read and encoded like the main input
 */
public record BackgroundConfig(String source, Integer size, Integer k, InputConfig input) implements Serializable {

  public BackgroundConfig {
    source = source == null ? Defaults.BACKGROUND_SOURCE : source;
    size = size == null ? Defaults.BACKGROUND_SIZE : size;
    k = k == null ? Defaults.BACKGROUND_CLUSTERS : k;
  }
}
