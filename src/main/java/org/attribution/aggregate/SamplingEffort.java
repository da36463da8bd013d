package org.attribution.aggregate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import java.io.Serializable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.attribution.output.ResultSchema;

/**
 * What sampling each row to a target error cost ({@code method.target_error}): the model
 * evaluations actually spent, against the cap every row could have spent, and how many results
 * stopped at the cap with their estimated error still above the target.
 *
 * @param targetError the relative error each row sampled towards
 * @param capEvaluationsPerRow the most evaluations a result could spend (the budget or
 *     permutations, f(x) included)
 * @param results results explained (rows times targets per row)
 * @param evaluations model evaluations spent on them, in all
 * @param meanEvaluationsPerRow {@code evaluations / results}
 * @param resultsAtCap results that spent the cap without meeting the target
 * @param shareAtCap {@code resultsAtCap / results}
 */
public record SamplingEffort(double targetError, long capEvaluationsPerRow, long results, long evaluations,
    double meanEvaluationsPerRow, long resultsAtCap, double shareAtCap) implements Serializable {

  /** From the counts, deriving the mean and the share (both 0 for no result). */
  static SamplingEffort of(double targetError, long capEvaluationsPerRow, long results, long evaluations,
      long resultsAtCap) {
    return new SamplingEffort(targetError, capEvaluationsPerRow, results, evaluations,
        results == 0 ? 0 : (double) evaluations / results, resultsAtCap,
        results == 0 ? 0 : (double) resultsAtCap / results);
  }

  /** From the per-row table's {@link ResultSchema#EVALUATIONS} and {@link ResultSchema#TARGET_MET}. */
  public static SamplingEffort fromResults(Dataset<Row> results, double targetError, long capEvaluationsPerRow) {
    Row totals = results.agg(count(lit(1)), sum(col(ResultSchema.EVALUATIONS)),
        sum(when(col(ResultSchema.TARGET_MET), 0).otherwise(1))).first();
    return of(targetError, capEvaluationsPerRow, totals.getLong(0), totals.isNullAt(1) ? 0 : totals.getLong(1),
        totals.isNullAt(2) ? 0 : totals.getLong(2));
  }

  /** Counts as executors add results and the driver merges them. */
  public static final class Sums implements Serializable {
    private static final long serialVersionUID = 1L;
    private long results;
    private long evaluations;
    private long atCap;

    /** Adds one result's evaluations and whether it met the target. */
    public void add(long spent, boolean targetMet) {
      results++;
      evaluations += spent;
      atCap += targetMet ? 0 : 1;
    }

    /** Adds {@code other}'s results to these; returns these. */
    public Sums merge(Sums other) {
      results += other.results;
      evaluations += other.evaluations;
      atCap += other.atCap;
      return this;
    }

    /** The effort of the results added. */
    public SamplingEffort effort(double targetError, long capEvaluationsPerRow) {
      return of(targetError, capEvaluationsPerRow, results, evaluations, atCap);
    }
  }
}
