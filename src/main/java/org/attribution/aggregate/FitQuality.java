package org.attribution.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mean;
import static org.apache.spark.sql.functions.min;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.output.ResultSchema;

/**
 * How well a surrogate method's local fits (LIME's weighted ridge regressions) describe the model,
 * per target: the mean and the smallest of the rows' weighted R^2. A low R^2 means the linear
 * surrogate, and so its coefficients, explain little of the model near those rows.
 *
 * @param target the explained output
 * @param targetName its label
 * @param rows rows with a finite R^2 (a row the model gave non-finite outputs has none)
 * @param meanR2 mean R^2 over those rows
 * @param minR2 the smallest
 */
public record FitQuality(int target, String targetName, long rows, double meanR2, double minR2)
    implements Serializable {

  /** Per target, from the per-row table's {@link ResultSchema#FIT_R2} column, in target order. */
  public static List<FitQuality> fromResults(Dataset<Row> results) {
    List<FitQuality> fits = new ArrayList<>();
    Column finite = col(ResultSchema.FIT_R2).isNotNull().and(isnan(col(ResultSchema.FIT_R2)).unary_$bang());
    for (Row row : results.filter(finite).groupBy("target")
        .agg(max("target_name"), count(ResultSchema.FIT_R2), mean(ResultSchema.FIT_R2), min(ResultSchema.FIT_R2))
        .orderBy("target").collectAsList()) {
      fits.add(new FitQuality(row.getInt(0), row.getString(1), row.getLong(2), row.getDouble(3), row.getDouble(4)));
    }
    return fits;
  }

  /** Sums of R^2 per target, as executors add rows and the driver merges them. */
  public static final class Sums implements Serializable {
    private static final long serialVersionUID = 1L;
    private final Map<Integer, double[]> byTarget = new TreeMap<>();
    private final Map<Integer, String> names = new TreeMap<>();

    /** Adds one row's R^2; a non-finite one is left out. */
    public void add(int target, String targetName, double rSquared) {
      if (!Double.isFinite(rSquared)) {
        return;
      }
      names.putIfAbsent(target, targetName);
      double[] sums = byTarget.computeIfAbsent(target, t -> new double[] {0, 0, Double.POSITIVE_INFINITY});
      sums[0]++;
      sums[1] += rSquared;
      sums[2] = Math.min(sums[2], rSquared);
    }

    /** Adds {@code other}'s rows to these; returns these. */
    public Sums merge(Sums other) {
      other.byTarget.forEach((target, theirs) -> {
        names.putIfAbsent(target, other.names.get(target));
        double[] sums = byTarget.computeIfAbsent(target, t -> new double[] {0, 0, Double.POSITIVE_INFINITY});
        sums[0] += theirs[0];
        sums[1] += theirs[1];
        sums[2] = Math.min(sums[2], theirs[2]);
      });
      return this;
    }

    /** The fit quality of each target seen, in target order. */
    public List<FitQuality> quality() {
      List<FitQuality> fits = new ArrayList<>();
      byTarget.forEach((target, sums) ->
          fits.add(new FitQuality(target, names.get(target), (long) sums[0], sums[1] / sums[0], sums[2])));
      return fits;
    }
  }
}
