package org.attribution.job;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.config.MethodConfig;
import org.attribution.data.FeatureEncoder;

/** Resolves a path method's baseline into an encoded vector. */
final class Baselines {

  private Baselines() {}

  /**
   * The baseline for {@code method}: zeros, a given vector, or the mean of every encoded column
   * over the rows that will be explained (one aggregation over {@code encodedRows}).
   */
  static float[] resolve(MethodConfig method, FeatureEncoder encoder, Dataset<Row> encodedRows) {
    if (!(method instanceof IntegratedGradientsConfig ig)) {
      return new float[0];
    }
    int width = encoder.width();
    return switch (ig.baseline()) {
      case "zeros" -> new float[width];
      case "vector" -> fromValues(ig.baselineValues(), width);
      case "mean" -> means(encoder, encodedRows);
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

  private static float[] means(FeatureEncoder encoder, Dataset<Row> encodedRows) {
    Column[] means = encoder.meanExpressions();
    encodedRows.sparkSession().sparkContext().setJobDescription("Computing the mean baseline");
    Row row = encodedRows.agg(means[0], java.util.Arrays.copyOfRange(means, 1, means.length)).first();
    float[] baseline = new float[means.length];
    for (int i = 0; i < means.length; i++) {
      if (row.isNullAt(i)) {
        throw new InvalidJobException("Cannot compute the mean baseline: the input has no row that can be explained");
      }
      baseline[i] = (float) row.getDouble(i);
    }
    return baseline;
  }
}
