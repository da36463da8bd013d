package org.attribution.job;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.api.java.function.VoidFunction2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.aggregate.ColumnMeans;
import org.attribution.aggregate.ColumnSpread;
import org.attribution.config.BaselineChoice;
import org.attribution.config.InvalidJobException;
import org.attribution.config.MethodConfig;
import org.attribution.config.OcclusionConfig;
import org.attribution.config.SmoothGradConfig;
import org.attribution.data.FeatureEncoder;

/** Resolves a method's baseline, and SmoothGrad's noise scale, into encoded vectors. */
final class Baselines {

  private Baselines() {}

  /**
   * The baseline for {@code method}: zeros, a given vector, or the mean of every encoded column
   * over the rows that will be explained: {@code encodedRows} hold {@link
   * FeatureEncoder#encodedColumns()} from field {@code firstField} on.
   */
  static float[] resolve(MethodConfig method, FeatureEncoder encoder, Dataset<Row> encodedRows, int firstField) {
    if (!(method instanceof BaselineChoice choice) || choice.baseline() == null
        || choice.baseline().equals(OcclusionConfig.BACKGROUND)) {
      return new float[0];
    }
    int width = encoder.width();
    return switch (choice.baseline()) {
      case "zeros" -> new float[width];
      case "vector" -> fromValues(choice.baselineValues(), width);
      case "mean" -> means(encoder, encodedRows, firstField);
      default -> throw new IllegalStateException("validated baseline " + choice.baseline());
    };
  }

  /**
   * SmoothGrad's noise standard deviation per encoded column: {@code method.noise_std} times the
   * column's standard deviation over the rows that will be explained, which {@code encodedRows}
   * hold as for {@link #resolve}; empty for other methods.
   */
  static double[] noiseScale(MethodConfig method, FeatureEncoder encoder, Dataset<Row> encodedRows, int firstField) {
    if (!(method instanceof SmoothGradConfig smooth)) {
      return new double[0];
    }
    ColumnSpread spread = reduceEncoded(encoder, encodedRows, firstField, "Computing the SmoothGrad noise scale",
        ColumnSpread::new, (partial, row) -> partial.add(row, 0), ColumnSpread::merge);
    if (spread.count() == 0) {
      throw new InvalidJobException(
          "Cannot compute the SmoothGrad noise scale: the input has no row that can be explained");
    }
    double[] scale = spread.standardDeviations();
    for (int c = 0; c < scale.length; c++) {
      scale[c] *= smooth.noiseStd();
    }
    return scale;
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
    ColumnMeans means = reduceEncoded(encoder, encodedRows, firstField, "Computing the mean baseline",
        ColumnMeans::new, (partial, row) -> partial.add(row, 0), ColumnMeans::merge);
    if (means.count() == 0) {
      throw new InvalidJobException("Cannot compute the mean baseline: the input has no row that can be explained");
    }
    return means.means();
  }

  /**
   * One statistic of the encoded rows, each partition's folded in with {@code add} and the
   * partitions' merged: a statistic whose merge is exact (as {@link ColumnMeans}' and {@link
   * ColumnSpread}'s are) comes out the same however the rows are partitioned.
   */
  private static <T> T reduceEncoded(FeatureEncoder encoder, Dataset<Row> encodedRows, int firstField,
      String description, Function<Integer, T> create, VoidFunction2<T, float[]> add, Function2<T, T, T> merge) {
    encodedRows.sparkSession().sparkContext().setJobDescription(description);
    int width = encoder.width();
    return encodedRows.javaRDD().mapPartitions(rows -> {
      T partial = create.call(width);
      float[] row = new float[width];
      while (rows.hasNext()) {
        Arrays.fill(row, 0f);
        encoder.encode(rows.next(), firstField, row, 0);
        add.call(partial, row);
      }
      return List.of(partial).iterator();
    }).reduce(merge);
  }
}
