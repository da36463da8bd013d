package org.attribution.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of bad input, through the real command line: the exact message, exit code 2, and
 * for job, schema and model problems, no Spark job started before the message.
 */
class BadInputTest {

  static final String DATA = Path.of("data-sample/lending_club.parquet").toAbsolutePath().toString();
  static final String MODEL = Path.of("data-sample/model/lending_club_mlp.pt").toAbsolutePath().toString();
  static final String VOCABULARY = Path.of("data-sample/vocabulary.json").toAbsolutePath().toString();
  static final String COLUMNS = "[funded_amnt, term, int_rate, sub_grade, addr_state, verification_status, "
      + "annual_inc, emp_length, delinq_2yrs, inq_last_6mths, revol_util, acc_now_delinq, open_il_6m, open_il_12m, "
      + "open_il_24m, total_bal_il, all_util, inq_fi, inq_last_12m, delinq_amnt, num_il_tl, total_il_high_credit_limit]";

  @TempDir static Path dir;
  static SparkSession spark;
  static final AtomicInteger jobsStarted = new AtomicInteger();

  private static boolean counting;

  /** Counts Spark jobs from here on; other test classes that use {@link #run} call it too. */
  @BeforeAll
  static synchronized void countJobs() {
    spark = SparkTestSession.get();
    if (counting) {
      return;
    }
    counting = true;
    spark.sparkContext().addSparkListener(new SparkListener() {
      @Override
      public void onJobStart(SparkListenerJobStart jobStart) {
        jobsStarted.incrementAndGet();
      }
    });
  }

  /** A valid job file for the sample, with {@code replacements} applied as (from, to) pairs. */
  static Path jobFile(String name, String... replacements) throws Exception {
    return jobFile(dir, name, replacements);
  }

  /** {@link #jobFile(String, String...)} written to {@code dir}, with its output there too. */
  static Path jobFile(Path dir, String name, String... replacements) throws Exception {
    String yaml = """
        job_name: bad-input
        input: {path: %s, id_column: loan_id}
        features:
          columns: %s
          categorical: [term, sub_grade, addr_state, verification_status, emp_length]
          vocabulary_file: %s
        model: {path: %s, output: softmax}
        target: {mode: class, class_index: 1, class_names: [good, bad]}
        method: {name: integrated_gradients, steps: 8}
        output: {path: %s}
        """.formatted(DATA, COLUMNS, VOCABULARY, MODEL, dir.resolve("out-" + name));
    for (int i = 0; i < replacements.length; i += 2) {
      assertTrue(yaml.contains(replacements[i]), replacements[i]);
      yaml = yaml.replace(replacements[i], replacements[i + 1]);
    }
    return Files.writeString(dir.resolve(name + ".yaml"), yaml);
  }

  record Outcome(int exitCode, String out, String err, int jobs) {}

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int before = jobsStarted.get();
    int code = AttributionCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    try {
      spark.sparkContext().listenerBus().waitUntilEmpty(10_000);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("Spark listener events did not drain", e);
    }
    return new Outcome(code, out.toString(), err.toString().strip(), jobsStarted.get() - before);
  }

  static void assertRejected(Outcome outcome, String message) {
    assertEquals(message, outcome.err(), "stderr");
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode(), "exit code");
    assertEquals(0, outcome.jobs(), "Spark jobs started before the error");
  }

  static void assertRejectedStartingWith(Outcome outcome, String prefix) {
    assertTrue(outcome.err().startsWith(prefix), () -> "expected <" + prefix + "...> but got <" + outcome.err() + ">");
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode(), "exit code");
    assertEquals(0, outcome.jobs(), "Spark jobs started before the error");
  }

  /**
   * A problem with the input's columns: found from the schema alone, but reading a Parquet
   * schema is itself one small Spark job (the footer read), and nothing more may run.
   */
  static void assertSchemaRejected(Outcome outcome, String prefix) {
    assertTrue(outcome.err().startsWith(prefix), () -> "expected <" + prefix + "...> but got <" + outcome.err() + ">");
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode(), "exit code");
    assertTrue(outcome.jobs() <= 1, "Spark jobs before the error: " + outcome.jobs());
  }

  @Test
  void missingJobFile() {
    Path missing = dir.resolve("nope.yaml");
    assertRejected(run("--job", missing.toString()), "Cannot read job file " + missing + ": no such file");
  }

  @Test
  void malformedJobFile() throws Exception {
    Path file = Files.writeString(dir.resolve("malformed.yaml"), "input: {path: [x\nmodel: y\n");
    assertRejectedStartingWith(run("--job", file.toString()), "Cannot read job file " + file + ": malformed YAML (line ");
  }

  @Test
  void unknownKey() throws Exception {
    Path file = jobFile("unknown-key", "steps: 8", "step: 8");
    assertRejected(run("--job", file.toString()), "Cannot read job file " + file
        + ": unknown key 'method.step'; known keys here: baseline, baseline_values, rule, steps");
  }

  @Test
  void missingOption() {
    Outcome outcome = run();
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
    assertTrue(outcome.err().startsWith("Missing required option: '--job=<job>'"), outcome.err());
  }

  @Test
  void missingColumn() throws Exception {
    Outcome outcome = run("--job", jobFile("missing-column", "columns: [funded_amnt,", "columns: [funded_amt,").toString());
    assertSchemaRejected(outcome, "Cannot use feature column 'funded_amt': no such column in the input (columns: "
        + "loan_id, funded_amnt, term,");
  }

  @Test
  void nonNumericFeatureColumn() throws Exception {
    // The usual way this happens: a CSV read without a schema, so numbers arrive as text.
    Path data = dir.resolve("int-rate-as-text.parquet");
    spark.read().parquet(DATA).limit(20).withColumn("int_rate", col("int_rate").cast("string"))
        .write().parquet(data.toString());
    Path file = jobFile("non-numeric", DATA, data.toString());
    assertSchemaRejected(run("--job", file.toString()), "Cannot use feature column 'int_rate': it has type string, "
        + "expected a number (list it in features.categorical to one-hot encode it)");
  }

  @Test
  void missingModelFile() throws Exception {
    Path file = jobFile("missing-model", MODEL, "/no/such/model.pt");
    assertRejected(run("--job", file.toString()), "Cannot load model /no/such/model.pt: no such file");
  }

  @Test
  void corruptModelFile() throws Exception {
    Path corrupt = Files.write(dir.resolve("corrupt.pt"), "this is not a TorchScript archive".getBytes());
    Path file = jobFile("corrupt-model", MODEL, corrupt.toString());
    assertRejectedStartingWith(run("--job", file.toString()), "Cannot load model corrupt.pt: ");
  }

  @Test
  void modelInputWidthDoesNotMatchTheFeatures() throws Exception {
    Path file = jobFile("width", "columns: [funded_amnt, term,", "columns: [term,");
    assertRejectedStartingWith(run("--job", file.toString()),
        "Cannot load model lending_club_mlp.pt: it does not run on a float32 row of width 118");
  }

  @Test
  void targetOutOfRange() throws Exception {
    Path file = jobFile("target", "class_index: 1, class_names: [good, bad]", "class_index: 5");
    assertRejected(run("--job", file.toString()),
        "Cannot explain target.class_index 5: the model has 2 outputs (valid indices 0..1)");
  }

  @Test
  void classNamesDoNotMatchTheOutputs() throws Exception {
    Path file = jobFile("names", "class_names: [good, bad]", "class_names: [good, bad, ugly]");
    assertRejected(run("--job", file.toString()),
        "Cannot use target.class_names: it names 3 classes, but the model has 2 outputs");
  }

  @Test
  void invalidSettingsAreAllReportedTogether() throws Exception {
    Path file = jobFile("settings", "steps: 8", "steps: 0, rule: simpson", "output: softmax", "output: probits");
    Outcome outcome = run("--job", file.toString());
    assertRejectedStartingWith(outcome, "Cannot run job: 2 problems in the job file:");
    assertTrue(outcome.err().contains("'model.output': Cannot parse output transform 'probits'"), outcome.err());
    assertTrue(outcome.err().contains("'method.rule': Cannot parse integration rule 'simpson'"), outcome.err());
  }

  @Test
  void badRowsGoToRejectsWithTheirReasonAndAreCounted() throws Exception {
    Path data = dir.resolve("bad-rows.parquet");
    spark.read().parquet(DATA).filter(col("loan_id").leq(50))
        .withColumn("funded_amnt", when(col("loan_id").equalTo(1), lit(null)).otherwise(col("funded_amnt")))
        .withColumn("int_rate", when(col("loan_id").equalTo(2), lit(Double.NaN)).otherwise(col("int_rate")))
        .withColumn("annual_inc", when(col("loan_id").equalTo(3), lit(Double.NEGATIVE_INFINITY))
            .otherwise(col("annual_inc")))
        .withColumn("addr_state", when(col("loan_id").equalTo(4), lit("ZZ")).otherwise(col("addr_state")))
        .withColumn("term", when(col("loan_id").equalTo(5), lit(null)).otherwise(col("term")))
        .write().parquet(data.toString());
    Path file = jobFile("bad-rows", DATA, data.toString());
    Outcome outcome = run("--job", file.toString(), "--run-id", "bad-rows");
    assertEquals(0, outcome.exitCode(), outcome.err());

    Path out = dir.resolve("out-bad-rows");
    Map<Long, String> reasons = new java.util.TreeMap<>();
    for (Row row : spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
      reasons.put(row.getAs("loan_id"), row.getAs("reject_reason"));
    }
    assertEquals(Map.of(
        1L, "null value in feature 'funded_amnt'",
        2L, "NaN in feature 'int_rate'",
        3L, "infinite value in feature 'annual_inc'",
        4L, "unknown category 'ZZ' in feature 'addr_state'",
        5L, "null value in feature 'term'"), reasons);
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifests/bad-rows.json").toFile());
    assertEquals(50, manifest.at("/rows/read").asLong());
    assertEquals(45, manifest.at("/rows/explained").asLong());
    assertEquals(5, manifest.at("/rows/rejected").asLong());
    assertEquals(1, manifest.at("/reject_reasons/NaN in feature 'int_rate'").asLong());
    List<Row> explained = spark.read().parquet(out.resolve("global_importance").toString()).select("rows").distinct()
        .collectAsList();
    assertEquals(List.of(45L), explained.stream().map(r -> r.getLong(0)).toList());
    assertTrue(outcome.out().contains("45 rows explained, 5 rejected"), outcome.out());
  }

  @Test
  void exactShapleyOverTooManyPlayers() throws Exception {
    Path file = jobFile("exact", "method: {name: integrated_gradients, steps: 8}", "method: {name: exact_shapley}");
    assertRejected(run("--job", file.toString()), "Cannot use exact Shapley with 22 players: it costs 4,194,302"
        + " model evaluations per row for each background row (2^22 - 2 coalitions), and at most 20 players are"
        + " possible; group features, or use kernel_shap");
  }

  @Test
  void missingSegmentColumn() throws Exception {
    Path file = Files.writeString(dir.resolve("segment.yaml"),
        Files.readString(jobFile("segment-base")) + "segment_by: [region]\n");
    assertSchemaRejected(run("--job", file.toString()), "Cannot use segment_by column 'region': no such column in the "
        + "input (columns: loan_id, funded_amnt,");
  }

  @Test
  void driftAgainstAMissingRun() throws Exception {
    Path file = Files.writeString(dir.resolve("compare.yaml"),
        Files.readString(jobFile("compare-base")) + "drift: {compare_to: nightly-2026-01-01}\n");
    Outcome outcome = run("--job", file.toString());
    assertEquals("Cannot compare with run 'nightly-2026-01-01': no such run in " + dir.resolve("out-compare-base/runs"),
        outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
    // The write phase fails here with its jobs beside it (the id count, the importance and
    // rejects tables) still running: none may outlive the run.
    assertEquals(List.of(), Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("attribution-write-")).map(Thread::getName).toList());
  }

  @Test
  void badRunId() throws Exception {
    assertRejected(run("--job", jobFile("run-id").toString(), "--run-id", "2026"), "Cannot use run id '2026': it "
        + "must start with a letter and contain only letters, digits, '.', '_' and '-' (at most 200)");
  }

  @Test
  void outputDirectoryHoldingSomethingElseIsRefused() throws Exception {
    Path out = Files.createDirectories(dir.resolve("out-foreign"));
    Path notes = Files.writeString(out.resolve("notes.txt"), "not an audit table");
    assertRejected(run("--job", jobFile("foreign").toString()), "Cannot write to " + out + ": it holds 'notes.txt', "
        + "which this job did not write; give output.path an empty directory or one this job wrote");
    assertEquals("not an audit table", Files.readString(notes));
  }

  @Test
  void emptyInput() throws Exception {
    Path data = dir.resolve("empty.parquet");
    spark.read().parquet(DATA).limit(0).write().parquet(data.toString());
    Outcome outcome = run("--job", jobFile("empty", DATA, data.toString()).toString());
    assertEquals("Cannot explain " + data + ": it has no rows", outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
  }

  /** The first {@code bad} of 20 rows have a null funded_amnt. */
  static Path partlyBad(String name, int bad) {
    Path data = dir.resolve(name + ".parquet");
    spark.read().parquet(DATA).filter(col("loan_id").leq(20))
        .withColumn("funded_amnt", when(col("loan_id").leq(bad), lit(null)).otherwise(col("funded_amnt")))
        .write().parquet(data.toString());
    return data;
  }

  @Test
  void allRowsRejectedIsRefusedAndTheRejectsAreKept() throws Exception {
    Path file = jobFile("all-rejected", DATA, partlyBad("all-bad", 20).toString());
    Outcome outcome = run("--job", file.toString(), "--run-id", "all-rejected");
    Path rejects = dir.resolve("out-all-rejected/_staging/all-rejected/rejects");
    assertEquals("Cannot accept this run: 20 of 20 rows (100.0%) were rejected, more than input.max_reject_share "
        + "(50.0%); the rejected rows and their reasons are in " + rejects, outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
    assertEquals(20, spark.read().parquet(rejects.toString()).count(), "nothing lost");
    assertTrue(Files.notExists(dir.resolve("out-all-rejected/runs")), "nothing committed");
  }

  @Test
  void rejectedShareAboveTheLimitFailsAndBelowItPasses() throws Exception {
    Path file = jobFile("share", DATA, partlyBad("mostly-bad", 12).toString());
    Outcome refused = run("--job", file.toString(), "--run-id", "share");
    assertTrue(refused.err().startsWith("Cannot accept this run: 12 of 20 rows (60.0%) were rejected, more than "
        + "input.max_reject_share (50.0%)"), refused.err());
    assertEquals(AttributionCli.EXIT_INVALID, refused.exitCode());
    Outcome accepted = run("--job", file.toString(), "--run-id", "share", "--set", "input.max_reject_share=0.7");
    assertEquals(0, accepted.exitCode(), accepted.err());
    assertTrue(accepted.out().contains("8 rows explained, 12 rejected"), accepted.out());
  }

  @Test
  void secretsInTheJobFileNeverReachTheManifestOrTheRunsTable() throws Exception {
    Path file = jobFile("secrets", "input: {path: " + DATA + ", id_column: loan_id}", "input: {path: " + DATA
        + ", id_column: loan_id, options: {password: hunter2, fs.s3a.access.key: AKIA1234, api_token: t0k3n,"
        + " mergeSchema: 'false'}}");
    Outcome outcome = run("--job", file.toString(), "--run-id", "secrets");
    assertEquals(0, outcome.exitCode(), outcome.err());
    String manifest = Files.readString(dir.resolve("out-secrets/manifests/secrets.json"));
    String runsRow = spark.read().parquet(dir.resolve("out-secrets/runs").toString()).first().getAs("manifest_json");
    String report = Files.readString(dir.resolve("out-secrets/reports/secrets.html"));
    for (String text : List.of(manifest, runsRow, report, outcome.out(), outcome.err())) {
      for (String secret : List.of("hunter2", "AKIA1234", "t0k3n")) {
        assertTrue(!text.contains(secret), "a secret leaked: " + secret);
      }
    }
    assertTrue(manifest.contains("\"password\" : \"***\""), manifest);
    assertTrue(manifest.contains("\"mergeSchema\" : \"false\""), "other options are kept");
  }

  @Test
  void duplicateIdsAreExplainedAndCounted() throws Exception {
    Path data = dir.resolve("duplicates.parquet");
    Dataset<Row> twenty = spark.read().parquet(DATA).filter(col("loan_id").leq(20));
    // Rows 4 and 5 also come back rejected: an id shared with a rejected row is no duplicate.
    twenty.union(twenty.filter(col("loan_id").leq(3))).union(rejectedCopies(twenty, 4, 5))
        .write().parquet(data.toString());
    Outcome outcome = run("--job", jobFile("duplicates", DATA, data.toString()).toString(), "--run-id", "dups");
    assertEquals(0, outcome.exitCode(), outcome.err());
    assertTrue(outcome.err().contains("Warning: 3 explained rows share their row id with another row (input.id_column "
        + "loan_id)"), outcome.err());
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("out-duplicates/manifests/dups.json").toFile());
    assertEquals(23, manifest.at("/rows/explained").asLong());
    assertEquals(2, manifest.at("/rows/rejected").asLong());
    assertEquals(3, manifest.at("/rows/duplicate_ids").asLong());
  }

  @Test
  void idsSharedOnlyWithRejectedRowsAreNoDuplicates() throws Exception {
    Path data = dir.resolve("rejected-copies.parquet");
    Dataset<Row> twenty = spark.read().parquet(DATA).filter(col("loan_id").leq(20));
    twenty.union(rejectedCopies(twenty, 1, 2)).write().parquet(data.toString());
    Outcome outcome = run("--job", jobFile("rejected-copies", DATA, data.toString()).toString(), "--run-id", "copies");
    assertEquals(0, outcome.exitCode(), outcome.err());
    assertFalse(outcome.err().contains("share their row id"), outcome.err());
    JsonNode manifest = new ObjectMapper().readTree(dir.resolve("out-rejected-copies/manifests/copies.json").toFile());
    assertEquals(20, manifest.at("/rows/explained").asLong());
    assertEquals(2, manifest.at("/rows/rejected").asLong());
    assertEquals(0, manifest.at("/rows/duplicate_ids").asLong());
  }

  /** Copies of the rows with these ids, each rejected for a null {@code funded_amnt}. */
  private static Dataset<Row> rejectedCopies(Dataset<Row> rows, long... ids) {
    return rows.filter(col("loan_id").isin(java.util.Arrays.stream(ids).boxed().toArray()))
        .withColumn("funded_amnt", lit(null).cast(rows.schema().apply("funded_amnt").dataType()));
  }

  @Test
  void emptyDatasetBackground() throws Exception {
    Path empty = dir.resolve("empty-background.parquet");
    spark.read().parquet(DATA).limit(0).write().parquet(empty.toString());
    Path file = Files.writeString(dir.resolve("empty-background.yaml"),
        Files.readString(jobFile("empty-background-base", "method: {name: integrated_gradients, steps: 8}",
            "method: {name: kernel_shap, budget: 16}"))
            + "background: {source: dataset, input: {path: " + empty + "}}\n");
    Outcome outcome = run("--job", file.toString());
    assertEquals("Cannot build the SHAP background: " + empty + " has no row that can be encoded", outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
  }

  @Test
  void categoricalColumnWithoutVocabulary() throws Exception {
    Path file = jobFile("no-vocabulary", "vocabulary_file: " + VOCABULARY, "vocabulary: {term: [term_36, term_60]}");
    assertRejected(run("--job", file.toString()), "Cannot encode categorical feature 'sub_grade': no vocabulary (give "
        + "features.vocabulary.sub_grade or list it in features.vocabulary_file)");
  }
}
