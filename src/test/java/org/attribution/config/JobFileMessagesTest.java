package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact text of job file problems that once repeated themselves. */
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
}
