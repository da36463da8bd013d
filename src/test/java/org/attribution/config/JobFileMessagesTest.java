package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact text of job file problems that once repeated themselves or pointed at two places. */
class JobFileMessagesTest {

  @TempDir Path dir;

  String failure(String yaml) throws Exception {
    Path file = Files.writeString(dir.resolve("job.yaml"), yaml);
    return assertThrows(InvalidJobException.class,
        () -> JobConfigValidator.validate(JobConfigLoader.load(file, Map.of()))).getMessage();
  }

  static String job(String features) {
    return """
        input: {path: cars.parquet}
        features: %s
        model: {path: m.pt}
        output: {path: out}
        """.formatted(features);
  }

  @Test
  void aColumnListedTwiceIsOneProblem() throws Exception {
    assertEquals("Cannot run job: 'features.columns' lists 'make' twice",
        failure(job("{columns: [make, price, make]}")));
  }

  @Test
  void aColumnListedThreeTimesIsOneProblemThatSaysSo() throws Exception {
    assertEquals("Cannot run job: 'features.columns' lists 'make' 3 times",
        failure(job("{columns: [make, price, make, make]}")));
  }

  @Test
  void aGroupListingAColumnTwiceSaysSoAndNotThatItIsInTwoGroups() throws Exception {
    assertEquals("Cannot run job: 'features.groups.car' lists 'make' twice",
        failure(job("{columns: [make, model, price], groups: {car: [make, model, make]}}")));
  }

  @Test
  void aColumnInTwoGroupsIsStillNamedAsSuch() throws Exception {
    assertEquals("Cannot run job: 'features.groups' puts 'make' in more than one group",
        failure(job("{columns: [make, model, price], groups: {car: [make, model], brand: [make]}}")));
  }

  @Test
  void aYamlSyntaxErrorNamesOnePlaceWhereTheFileIsWrong() throws Exception {
    Path file = dir.resolve("job.yaml");
    assertEquals("Cannot read job file " + file + ": malformed YAML (line 2, column 6): while parsing a flow sequence,"
        + " expected ',' or ']', but got :", failure("input: {path: [x\nmodel: y\n"));
    // Jackson's own location here is line 1, column 2; the quoted scalar runs to the end.
    assertEquals("Cannot read job file " + file + ": malformed YAML (line 2, column 1): while scanning a quoted"
        + " scalar, found unexpected end of stream", failure("job_name: 'audit\n"));
    assertEquals("Cannot read job file " + file + ": malformed YAML (line 2, column 10): mapping values are not"
        + " allowed here", failure("input:\n  path: a: b\n"));
  }
}
