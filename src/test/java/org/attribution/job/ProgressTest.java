package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.attribution.config.JobConfigLoader;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {

  @TempDir Path dir;

  @Test
  void linesSayRowsEvaluationsRateAndTimeLeft() {
    assertEquals("Explained 500 of 1,000 rows; 5,000 of 10,000 model evaluations (50%), 1,000/s, about 5 s left",
        Progress.line(500, 1000, 5_000, 10_000, 5));
    assertEquals("Explained 0 of 300 rows; 3,600,000 of 30,000,300 model evaluations (12%), 60,000/s,"
        + " about 7 min 20 s left", Progress.line(0, 300, 3_600_000, 30_000_300, 60));
    assertEquals("Explained 0 of 10 rows; 0 of 100 model evaluations (0%), 0/s", Progress.line(0, 10, 0, 100, 0));
    assertEquals("Explained 10 of 10 rows; 100 of 100 model evaluations (100%), 50/s",
        Progress.line(10, 10, 100, 100, 2));
  }

  /**
   * One task that explains its single batch for several seconds: the progress lines printed while
   * it runs already count its model evaluations, read from the executor's heartbeats, although no
   * row is done until the batch ends.
   */
  @Test
  void progressMovesWhileATaskRuns() throws Exception {
    SparkSession spark = SparkTestSession.get();
    String yaml = """
        input: {path: %s, partitions: 1}
        features:
          columns: [funded_amnt, term, int_rate, sub_grade, addr_state, verification_status, annual_inc, emp_length,
            delinq_2yrs, inq_last_6mths, revol_util, acc_now_delinq, open_il_6m, open_il_12m, open_il_24m,
            total_bal_il, all_util, inq_fi, inq_last_12m, delinq_amnt, num_il_tl, total_il_high_credit_limit]
          categorical: [term, sub_grade, addr_state, verification_status, emp_length]
          vocabulary_file: %s
        model: {path: %s}
        method: {name: integrated_gradients, rule: riemann_middle, steps: 400000}
        execution: {progress_seconds: 1}
        quality: {enabled: false}
        report: {sample_rows: 0}
        output: {path: %s}
        """.formatted(Path.of("data-sample/lending_club.parquet").toAbsolutePath(),
        Path.of("data-sample/vocabulary.json").toAbsolutePath(),
        Path.of("data-sample/model/lending_club_mlp.pt").toAbsolutePath(), dir.resolve("out"));
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      AttributionJob.builder(spark).config(JobConfigLoader.parse(yaml, "slow.yaml", Map.of()))
          .input(spark.read().parquet(Path.of("data-sample/lending_club.parquet").toString()).limit(8))
          .execute();
    } finally {
      System.setErr(original);
    }
    String err = captured.toString(StandardCharsets.UTF_8);
    assertTrue(err.contains("Plan: 8 rows × 400,001 model evaluations per row (integrated_gradients) = 3,200,008"
        + " evaluations; about "), err);
    Matcher line = Pattern.compile("Explained 0 of 8 rows; ([0-9,]+) of 3,200,008 model evaluations").matcher(err);
    boolean movedWithinTheTask = false;
    while (line.find()) {
      long done = Long.parseLong(line.group(1).replace(",", ""));
      movedWithinTheTask |= done > 0 && done < 3_200_008;
    }
    assertTrue(movedWithinTheTask, err);
  }
}
