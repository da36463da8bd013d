package org.attribution.job;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.clustering.KMeansModel;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.config.BackgroundConfig;
import org.attribution.config.InputConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.RowIds;
import org.attribution.method.Background;

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
      case "kmeans" -> kmeans(explained, seed, config.k(), encoder);
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
    return Background.uniform(values, rows.size(), width);
  }

  private static Background kmeans(Dataset<Row> encoded, long seed, int k, FeatureEncoder encoder) {
    encoded.sparkSession().sparkContext().setJobDescription("Clustering the SHAP background (k-means)");
    StructType schema = DataTypes.createStructType(List.of(DataTypes.createStructField("features", new VectorUDT(), false)));
    int width = encoder.width();
    Dataset<Row> vectors = encoded.map((MapFunction<Row, Row>) row -> {
      float[] values = new float[width];
      encoder.encode(row, 2, values, 0);
      double[] asDouble = new double[width];
      for (int i = 0; i < width; i++) {
        asDouble[i] = values[i];
      }
      return RowFactory.create(Vectors.dense(asDouble));
    }, Encoders.row(schema)).cache();
    try {
      if (vectors.isEmpty()) {
        throw new InvalidJobException("Cannot build the SHAP background: there is no row that can be explained");
      }
      KMeansModel model = new KMeans().setK(k).setSeed(seed).fit(vectors);
      Vector[] centers = model.clusterCenters();
      long[] sizes = model.summary().clusterSizes();
      List<Integer> kept = new ArrayList<>();
      for (int c = 0; c < centers.length; c++) {
        if (sizes[c] > 0) {
          kept.add(c);
        }
      }
      float[] values = new float[kept.size() * width];
      double[] weights = new double[kept.size()];
      for (int i = 0; i < kept.size(); i++) {
        double[] center = centers[kept.get(i)].toArray();
        for (int j = 0; j < width; j++) {
          values[i * width + j] = (float) center[j];
        }
        weights[i] = sizes[kept.get(i)];
      }
      return new Background(values, kept.size(), width, weights);
    } finally {
      vectors.unpersist();
    }
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
