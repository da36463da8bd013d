package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.config.BackgroundConfig;
import org.attribution.config.InputConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.RowIds;
import org.attribution.method.Background;
import org.attribution.method.KMeansBackground;

/**
 * Builds the SHAP background on the driver side of the job, with Spark, once per run.
 *
 * <p>Every choice is a function of the run seed and row contents, never of partitioning: a
 * sample is the rows with the smallest {@code xxhash64(seed, row_id)}, which Spark computes as a
 * top-k per partition without sorting the whole input.
 */
final class BackgroundSets {

  /**
   * The background and how it was made.
   *
   * @param background the weighted rows
   * @param source the configured source
   * @param requested rows (sample, dataset) or clusters (kmeans) asked for
   */
  record Built(Background background, String source, int requested) {}

  private BackgroundSets() {}

  /**
   * @param config the background section
   * @param seed the run seed
   * @param encoder the feature encoder
   * @param explained the explained rows, as {@code (row_id, row_seed, encoded columns...)}
   * @param reader reads another input, for {@code source: dataset}
   */
  static Built build(BackgroundConfig config, long seed, FeatureEncoder encoder, Dataset<Row> explained,
      Function<InputConfig, Dataset<Row>> reader) {
    Background background = switch (config.source()) {
      case "sample" -> sample(explained, seed, config.size(), encoder, "there is no row that can be explained");
      case "kmeans" -> kmeans(explained, seed, config.k(), config.kmeansRows(), encoder);
      case "dataset" -> sample(encodedDataset(reader.apply(config.input()), seed, encoder), seed, config.size(), encoder,
          (config.input().path() != null ? config.input().path() : config.input().table())
              + " has no row that can be encoded");
      default -> throw new IllegalStateException("validated background source " + config.source());
    };
    int requested = config.source().equals("kmeans") ? config.k() : config.size();
    return new Built(background, config.source(), requested);
  }

  private static Background sample(Dataset<Row> encoded, long seed, int size, FeatureEncoder encoder, String whenEmpty) {
    encoded.sparkSession().sparkContext().setJobDescription("Sampling the SHAP background");
    float[] rows = hashSample(encoded, seed, size, encoder, whenEmpty);
    return Background.uniform(rows, rows.length / encoder.width(), encoder.width());
  }

  /**
   * Centroids of the sample's rows. The sample, not Spark MLlib over every row: MLlib seeds its
   * initialisation per partition, so its centroids changed with the input's partitioning, and it
   * runs a Spark job per iteration.
   */
  private static Background kmeans(Dataset<Row> encoded, long seed, int k, int rows, FeatureEncoder encoder) {
    encoded.sparkSession().sparkContext().setJobDescription("Sampling rows for the k-means SHAP background");
    float[] sample = hashSample(encoded, seed, rows, encoder, "there is no row that can be explained");
    return KMeansBackground.of(sample, sample.length / encoder.width(), encoder.width(), k, seed);
  }

  /** The encoded rows with the smallest hashes, in hash order. */
  private static float[] hashSample(Dataset<Row> encoded, long seed, int size, FeatureEncoder encoder,
      String whenEmpty) {
    List<Row> rows = encoded
        .orderBy(xxhash64(lit(seed), col("row_id")), col("row_seed"))
        .limit(size)
        .collectAsList();
    if (rows.isEmpty()) {
      throw new InvalidJobException("Cannot build the SHAP background: " + whenEmpty);
    }
    int width = encoder.width();
    float[] values = new float[rows.size() * width];
    for (int i = 0; i < rows.size(); i++) {
      encoder.encode(rows.get(i), 2, values, i * width);
    }
    return values;
  }

  /** Another input encoded like the explained rows; rows that cannot be encoded are left out. */
  private static Dataset<Row> encodedDataset(Dataset<Row> input, long seed, FeatureEncoder encoder) {
    Dataset<Row> normalised = input;
    encoder.checkSchema(normalised.schema());
    List<Column> select = new ArrayList<>();
    select.add(RowIds.column(null, normalised.schema()).as("row_id"));
    select.add(lit(seed).as("row_seed"));
    select.addAll(List.of(encoder.encodedColumns()));
    return normalised.filter(encoder.rejectReason().isNull()).select(select.toArray(new Column[0]));
  }
}
