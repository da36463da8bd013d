package org.attribution.method;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A background of k-means centroids weighted by their cluster's size, as {@code shap.kmeans}
 * summarises data: k weighted rows stand in for many, and a coalition's value costs k model
 * evaluations instead of one per row.
 *
 * <p>Lloyd's algorithm from k-means++ seeds, with a seeded generator, over the rows in the order
 * given: the same rows in the same order with the same seed always give the same centroids. Rows
 * with at most k distinct values need no clustering: the distinct rows, weighted by how often each
 * occurs, are the background.
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
    Lloyd lloyd = new Lloyd(rows, count, width, k);
    lloyd.seed(new SplittableRandom(seed));
    lloyd.iterate();
    return lloyd.background();
  }

  /**
   * Lloyd's algorithm over plain arrays, with Hamerly's bounds: commons-math3's clusterer, used
   * before, took 1.2 s of a 22 s benchmark job (10 centroids of 10,000 rows of 119 columns), nearly
   * all of it measuring distances that the bounds show cannot change a row's centre. The bounds
   * skip work, not results: rows get the centres plain Lloyd iterations give them.
   */
  private static final class Lloyd {
    private final double[] points;
    private final int count;
    private final int width;
    private final int k;
    /** Centre j's columns at {@code centres[j * width]}. */
    private final double[] centres;
    private final int[] assigned;
    /**
     * Hamerly's bounds (2010) on each row's distance to its centre (upper) and to every other
     * centre (lower): a row whose bounds show its centre is still the nearest is not measured
     * again, which skips most distance computations after the first iterations.
     */
    private final double[] upper;
    private final double[] lower;

    Lloyd(float[] rows, int count, int width, int k) {
      this.points = new double[rows.length];
      for (int i = 0; i < rows.length; i++) {
        points[i] = rows[i];
      }
      this.count = count;
      this.width = width;
      this.k = k;
      this.centres = new double[width * k];
      this.assigned = new int[count];
      this.upper = new double[count];
      this.lower = new double[count];
    }

    /**
     * k-means++ seeding (Arthur and Vassilvitskii, 2007): the first centre a uniformly drawn row,
     * each next one a row drawn with probability proportional to its squared distance to the
     * nearest centre so far. There are more than k distinct rows, so that distance is positive
     * for some row until all k are drawn.
     */
    void seed(SplittableRandom random) {
      double[] nearest = new double[count];
      Arrays.fill(nearest, Double.POSITIVE_INFINITY);
      int chosen = random.nextInt(count);
      for (int j = 0; j < k; j++) {
        setCentre(j, chosen);
        double total = 0;
        for (int r = 0; r < count; r++) {
          nearest[r] = Math.min(nearest[r], squaredDistance(r, j));
          total += nearest[r];
        }
        if (j + 1 < k) {
          double position = random.nextDouble() * total;
          chosen = count - 1;
          for (int r = 0; r < count; r++) {
            position -= nearest[r];
            if (position < 0 && nearest[r] > 0) {
              chosen = r;
              break;
            }
          }
          while (nearest[chosen] == 0) {
            chosen--;
          }
        }
      }
    }

    /**
     * Assigns every row to its nearest centre (the lowest index on a tie) and moves each centre to
     * its rows' mean until no row changes centre or the centres barely move, at most {@link
     * #MAX_ITERATIONS} times. A centre
     * left without rows takes the row farthest from its own centre (among clusters of more than
     * one row), so that no cluster is lost while another spans two groups.
     */
    void iterate() {
      double[] sums = new double[k * width];
      int[] sizes = new int[k];
      double[] halfGap = new double[k];
      double[] moved = new double[k];
      double tolerance = tolerance();
      for (int r = 0; r < count; r++) {
        assignNearest(r);
      }
      for (int iteration = 1; iteration <= MAX_ITERATIONS; iteration++) {
        Arrays.fill(sums, 0);
        Arrays.fill(sizes, 0);
        for (int r = 0; r < count; r++) {
          int j = assigned[r];
          sizes[j]++;
          for (int c = 0; c < width; c++) {
            sums[j * width + c] += points[r * width + c];
          }
        }
        for (int j = 0; j < k; j++) {
          if (sizes[j] == 0) {
            int farthest = farthestMovable(sizes);
            int from = assigned[farthest];
            sizes[from]--;
            for (int c = 0; c < width; c++) {
              sums[from * width + c] -= points[farthest * width + c];
              sums[j * width + c] = points[farthest * width + c];
            }
            assigned[farthest] = j;
            upper[farthest] = 0;
            lower[farthest] = 0;
            sizes[j] = 1;
          }
        }
        double shift = 0;
        for (int j = 0; j < k; j++) {
          double squares = 0;
          for (int c = 0; c < width; c++) {
            double centre = sums[j * width + c] / sizes[j];
            double d = centre - centres[j * width + c];
            squares += d * d;
            centres[j * width + c] = centre;
          }
          moved[j] = Math.sqrt(squares);
          shift += squares;
        }
        if (shift <= tolerance) {
          return;
        }
        int most = 0;
        for (int j = 1; j < k; j++) {
          if (moved[j] > moved[most]) {
            most = j;
          }
        }
        double secondMost = 0;
        for (int j = 0; j < k; j++) {
          if (j != most) {
            secondMost = Math.max(secondMost, moved[j]);
          }
        }
        for (int j = 0; j < k; j++) {
          halfGap[j] = Double.POSITIVE_INFINITY;
          for (int o = 0; o < k; o++) {
            if (o != j) {
              halfGap[j] = Math.min(halfGap[j], 0.5 * Math.sqrt(squaredCentreDistance(j, o)));
            }
          }
        }
        boolean changed = false;
        for (int r = 0; r < count; r++) {
          int a = assigned[r];
          upper[r] += moved[a];
          lower[r] -= a == most ? secondMost : moved[most];
          double bound = Math.max(halfGap[a], lower[r]);
          if (upper[r] <= bound) {
            continue;
          }
          upper[r] = Math.sqrt(squaredDistance(r, a));
          if (upper[r] <= bound) {
            continue;
          }
          changed |= assignNearest(r);
        }
        if (!changed) {
          return;
        }
      }
    }

    /**
     * Assigns row r to its nearest centre, the lowest index on a tie, and sets its bounds exactly;
     * true if its centre changed.
     */
    private boolean assignNearest(int r) {
      int best = 0;
      double nearest = squaredDistance(r, 0);
      double second = Double.POSITIVE_INFINITY;
      for (int j = 1; j < k; j++) {
        double distance = squaredDistance(r, j);
        if (distance < nearest) {
          second = nearest;
          best = j;
          nearest = distance;
        } else if (distance < second) {
          second = distance;
        }
      }
      upper[r] = Math.sqrt(nearest);
      lower[r] = Math.sqrt(second);
      boolean changed = assigned[r] != best;
      assigned[r] = best;
      return changed;
    }

    /** The row farthest from its centre, by its upper bound, among clusters of more than one row. */
    private int farthestMovable(int[] sizes) {
      int farthest = -1;
      for (int r = 0; r < count; r++) {
        if (sizes[assigned[r]] > 1 && (farthest < 0 || upper[r] > upper[farthest])) {
          farthest = r;
        }
      }
      return farthest;
    }

    /**
     * scikit-learn's stopping rule (which {@code shap.kmeans} runs): the centres together moved
     * by at most 1e-4 times the columns' mean variance, squared distances summed.
     */
    private double tolerance() {
      double variances = 0;
      for (int c = 0; c < width; c++) {
        double mean = 0;
        for (int r = 0; r < count; r++) {
          mean += points[r * width + c];
        }
        mean /= count;
        double squares = 0;
        for (int r = 0; r < count; r++) {
          double d = points[r * width + c] - mean;
          squares += d * d;
        }
        variances += squares / count;
      }
      return 1e-4 * variances / width;
    }

    /** The centres weighted by their rows, empty ones left out. */
    Background background() {
      int[] sizes = new int[k];
      for (int r = 0; r < count; r++) {
        sizes[assigned[r]]++;
      }
      int kept = (int) Arrays.stream(sizes).filter(size -> size > 0).count();
      float[] values = new float[kept * width];
      double[] weights = new double[kept];
      int i = 0;
      for (int j = 0; j < k; j++) {
        if (sizes[j] > 0) {
          for (int c = 0; c < width; c++) {
            values[i * width + c] = (float) centres[j * width + c];
          }
          weights[i++] = sizes[j];
        }
      }
      return new Background(values, kept, width, weights);
    }

    private double squaredCentreDistance(int j, int o) {
      double sum = 0;
      for (int c = 0; c < width; c++) {
        double d = centres[j * width + c] - centres[o * width + c];
        sum += d * d;
      }
      return sum;
    }

    private void setCentre(int j, int row) {
      System.arraycopy(points, row * width, centres, j * width, width);
    }

    /**
     * Four running sums, not one: a single sum waits for each addition to finish, and distances
     * are nearly all of the clustering's time.
     */
    private double squaredDistance(int row, int j) {
      int p = row * width;
      int q = j * width;
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      int c = 0;
      for (; c + 3 < width; c += 4) {
        double d0 = points[p + c] - centres[q + c];
        double d1 = points[p + c + 1] - centres[q + c + 1];
        double d2 = points[p + c + 2] - centres[q + c + 2];
        double d3 = points[p + c + 3] - centres[q + c + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      for (; c < width; c++) {
        double d = points[p + c] - centres[q + c];
        s0 += d * d;
      }
      return (s0 + s1) + (s2 + s3);
    }
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
