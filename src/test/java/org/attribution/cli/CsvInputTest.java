package org.attribution.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.attribution.cli.BadInputTest.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV files as they come from other tools, through the real command line: R's {@code NA} for
 * missing numbers, a header without rows, lines with too few or too many fields.
 */
class CsvInputTest {

  /** The sample as R's {@code write.csv} wrote it: 22 features and the label, strings quoted. */
  static final Path SAMPLE_CSV = Path.of("data-sample/lending_club.csv").toAbsolutePath();

  @TempDir static Path dir;

  @BeforeAll
  static void countJobs() {
    BadInputTest.countJobs();
  }

  /** The sample's header and its first {@code rows} lines, to edit. */
  static List<String> sampleLines(int rows) throws Exception {
    return new ArrayList<>(Files.readAllLines(SAMPLE_CSV).subList(0, rows + 1));
  }

  /** A line of the sample with field {@code index} (0-based) replaced by {@code value}. */
  static String withField(String line, int index, String value) {
    String[] fields = line.split(",", -1);
    fields[index] = value;
    return String.join(",", fields);
  }

  static Path csv(String name, List<String> lines) throws Exception {
    return Files.write(dir.resolve(name + ".csv"), lines);
  }

  /** The job file of {@link BadInputTest} reading {@code data}, which has no id column. */
  static Path jobFile(String name, Path data) throws Exception {
    return BadInputTest.jobFile(dir, name, "input: {path: " + BadInputTest.DATA + ", id_column: loan_id}",
        "input: {path: " + data + "}");
  }

  @Test
  void missingValuesWrittenAsNaAreNamedWithTheSettingThatReadsThem() throws Exception {
    // Fields 2, 6 and 10 are int_rate, annual_inc and revol_util.
    List<String> lines = sampleLines(40);
    lines.set(3, withField(lines.get(3), 2, "NA"));
    lines.set(7, withField(lines.get(7), 2, "NA"));
    lines.set(5, withField(lines.get(5), 6, "NA"));
    lines.set(9, withField(lines.get(9), 10, "NA"));
    Path file = jobFile("r-na", csv("r-na", lines));

    Outcome refused = BadInputTest.run("--job", file.toString());
    assertEquals("Cannot use feature columns 'int_rate', 'annual_inc', 'revol_util': they have type string, expected "
        + "numbers; values that are not numbers: int_rate 'NA'; annual_inc 'NA'; revol_util 'NA'. These mark missing "
        + "values: read them as nulls with --set input.options.nullValue=NA", refused.err());
    assertEquals(AttributionCli.EXIT_INVALID, refused.exitCode());

    // The setting the message gives works, and keeps the CSV defaults (header, inferSchema).
    Outcome accepted = BadInputTest.run("--job", file.toString(), "--run-id", "r-na",
        "--set", "input.options.nullValue=NA");
    assertEquals(0, accepted.exitCode(), accepted.err());
    assertTrue(accepted.out().contains("36 rows explained, 4 rejected"), accepted.out());
    Map<String, Long> reasons = new TreeMap<>();
    for (Row row : BadInputTest.spark.read().parquet(dir.resolve("out-r-na/rejects").toString())
        .groupBy("reject_reason").count().collectAsList()) {
      reasons.put(row.getString(0), row.getLong(1));
    }
    assertEquals(Map.of("null value in feature 'int_rate'", 2L, "null value in feature 'annual_inc'", 1L,
        "null value in feature 'revol_util'", 1L), reasons);
  }

  @Test
  void headerWithoutRows() throws Exception {
    Path data = csv("header-only", sampleLines(0));
    Outcome outcome = BadInputTest.run("--job", jobFile("header-only", data).toString());
    assertEquals("Cannot explain " + data + ": it has no rows", outcome.err());
    assertEquals(AttributionCli.EXIT_INVALID, outcome.exitCode());
  }

  @Test
  void malformedLinesAreRejectedWithTheirTextAndTheOthersExplained() throws Exception {
    List<String> lines = sampleLines(40);
    // Without its term (field 1) the line shifts sub_grade into int_rate and emp_length into
    // annual_inc: inferred from every line, both columns would be text.
    String tooFew = lines.get(4).replaceFirst(",\"term_\\d+\"", "");
    String tooMany = lines.get(11) + ",\"extra, quoted\",7";
    lines.set(4, tooFew);
    lines.set(11, tooMany);
    Outcome outcome = BadInputTest.run("--job", jobFile("malformed", csv("malformed", lines)).toString(),
        "--run-id", "malformed");
    assertEquals(0, outcome.exitCode(), outcome.err());

    Path out = dir.resolve("out-malformed");
    Map<String, String> rejects = new TreeMap<>();
    for (Row row : BadInputTest.spark.read().parquet(out.resolve("rejects").toString()).collectAsList()) {
      rejects.put(row.getAs("reject_reason"), row.getAs("malformed_line"));
    }
    assertEquals(Map.of("malformed line: 22 fields, expected 23", tooFew,
        "malformed line: 25 fields, expected 23", tooMany), rejects);
    JsonNode manifest = new ObjectMapper().readTree(out.resolve("manifests/malformed.json").toFile());
    assertEquals(40, manifest.at("/rows/read").asLong());
    assertEquals(38, manifest.at("/rows/explained").asLong());
    assertEquals(2, manifest.at("/rows/rejected").asLong());
    assertEquals(List.of(38L), BadInputTest.spark.read().parquet(out.resolve("global_importance").toString())
        .select("rows").distinct().collectAsList().stream().map(r -> r.getLong(0)).toList());
  }
}
