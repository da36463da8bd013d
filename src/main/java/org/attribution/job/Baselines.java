package org.attribution.job;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.aggregate.ColumnMeans;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.config.MethodConfig;
import org.attribution.data.FeatureEncoder;

/** Resolves a path method's baseline into an encoded vector. */
final class Baselines {

  private Baselines() {}

  /**
   * The baseline for {@code method}: zeros, a given vector, or the mean of every encoded column
   * over the rows that will be explained: {@code encodedRows} hold {@link
   * FeatureEncoder#encodedColumns()} from field {@code firstField} on.
   */
  static float[] resolve(MethodConfig method, FeatureEncoder encoder, Dataset<Row> encodedRows, int firstField) {
    if (!(method instanceof IntegratedGradientsConfig ig)) {
      return new float[0];
    }
    int width = encoder.width();
    return switch (ig.baseline()) {
      case "zeros" -> new float[width];
      case "vector" -> fromValues(ig.baselineValues(), width);
      case "mean" -> means(encoder, encodedRows, firstField);
      default -> throw new IllegalStateException("validated baseline " + ig.baseline());
    };
  }

  private static float[] fromValues(List<Double> values, int width) {
    if (values.size() != width) {
      throw new InvalidJobException("Cannot use method.baseline_values: it has " + values.size()
          + " values, but the encoded input has width " + width);
    }
    float[] baseline = new float[width];
    for (int i = 0; i < width; i++) {
      baseline[i] = values.get(i).floatValue();
    }
    return baseline;
  }

  /**
   * Means of the encoded inputs exactly as the model will see them, in one pass that encodes each
   * row with the executors' own code: a Spark aggregate of one average per encoded column compiles
   * to more code than the JIT takes for wide inputs, and its sums depend on the partitioning.
   */
  private static float[] means(FeatureEncoder encoder, Dataset<Row> encodedRows, int firstField) {
    encodedRows.sparkSession().sparkContext().setJobDescription("Computing the mean baseline");
    int width = encoder.width();
    ColumnMeans means = encodedRows.javaRDD().mapPartitions(rows -> {
      ColumnMeans partial = new ColumnMeans(width);
      float[] row = new float[width];
      while (rows.hasNext()) {
        Arrays.fill(row, 0f);
        encoder.encode(rows.next(), firstField, row, 0);
        partial.add(row, 0);
      }
      return List.of(partial).iterator();
    }).reduce(ColumnMeans::merge);
    if (means.count() == 0) {
      throw new InvalidJobException("Cannot compute the mean baseline: the input has no row that can be explained");
    }
    return means.means();
  }
}
