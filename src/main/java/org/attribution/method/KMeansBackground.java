package org.attribution.method;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.DoublePoint;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;

/**
 * A background of k-means centroids weighted by their cluster's size, as {@code shap.kmeans}
 * summarises data: k weighted rows stand in for many, and a coalition's value costs k model
 * evaluations instead of one per row.
 *
 * <p>Lloyd's algorithm from k-means++ seeds (commons-math3), with a seeded generator, over the rows
 * in the order given: the same rows in the same order with the same seed always give the same
 * centroids. Rows with at most k distinct values need no clustering: the distinct rows, weighted
 * by how often each occurs, are the background.
 */
public final class KMeansBackground {

  /** Lloyd iterations at most (scikit-learn's default); clustering usually settles far sooner. */
  static final int MAX_ITERATIONS = 300;

  private KMeansBackground() {}

  /**
   * Clusters {@code count} rows of {@code width} values into at most {@code k} weighted centroids.
   *
   * @throws IllegalArgumentException if there is no row or {@code k} is below 1
   */
  public static Background of(float[] rows, int count, int width, int k, long seed) {
    if (count < 1 || k < 1 || rows.length != count * width) {
      throw new IllegalArgumentException("Cannot cluster " + count + " rows of width " + width + " (" + rows.length
          + " values) into " + k + " clusters");
    }
    Map<Row, Integer> distinct = new LinkedHashMap<>();
    for (int r = 0; r < count; r++) {
      distinct.merge(new Row(Arrays.copyOfRange(rows, r * width, (r + 1) * width)), 1, Integer::sum);
    }
    if (distinct.size() <= k) {
      float[] values = new float[distinct.size() * width];
      double[] weights = new double[distinct.size()];
      int i = 0;
      for (Map.Entry<Row, Integer> row : distinct.entrySet()) {
        System.arraycopy(row.getKey().values(), 0, values, i * width, width);
        weights[i++] = row.getValue();
      }
      return new Background(values, weights.length, width, weights);
    }
    List<DoublePoint> points = new ArrayList<>(count);
    for (int r = 0; r < count; r++) {
      double[] point = new double[width];
      for (int c = 0; c < width; c++) {
        point[c] = rows[r * width + c];
      }
      points.add(new DoublePoint(point));
    }
    List<CentroidCluster<DoublePoint>> clusters = new KMeansPlusPlusClusterer<DoublePoint>(
        k, MAX_ITERATIONS, new EuclideanDistance(), new Well19937c(seed)).cluster(points);
    List<CentroidCluster<DoublePoint>> kept = clusters.stream().filter(c -> !c.getPoints().isEmpty()).toList();
    float[] values = new float[kept.size() * width];
    double[] weights = new double[kept.size()];
    for (int i = 0; i < kept.size(); i++) {
      double[] center = kept.get(i).getCenter().getPoint();
      for (int c = 0; c < width; c++) {
        values[i * width + c] = (float) center[c];
      }
      weights[i] = kept.get(i).getPoints().size();
    }
    return new Background(values, kept.size(), width, weights);
  }

  /** A row as a map key: equal when every value is. */
  private record Row(float[] values) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Row row && Arrays.equals(values, row.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }
  }
}
