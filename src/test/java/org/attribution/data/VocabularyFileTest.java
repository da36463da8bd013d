package org.attribution.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.json.PackageVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.attribution.config.InvalidJobException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A broken vocabulary file is named with the line and column, never with Jackson's source text. */
class VocabularyFileTest {

  /**
   * Where Jackson locates an unexpected character: on it from Jackson 2.17, one column past it
   * before (jackson-core #1173), as with the Jackson 2.15 that Spark 3.5 ships and the job uses.
   */
  static final int UNEXPECTED_CHARACTER_OFFSET = PackageVersion.VERSION.getMinorVersion() >= 17 ? 0 : 1;

  @TempDir Path dir;

  Path file(String json) throws Exception {
    return Files.writeString(dir.resolve("vocabulary.json"), json);
  }

  String failure(String json) throws Exception {
    Path file = file(json);
    return assertThrows(InvalidJobException.class, () -> Vocabularies.read(file.toString(), new Configuration()))
        .getMessage();
  }

  String prefix() {
    return "Cannot read vocabulary file " + dir.resolve("vocabulary.json") + ": ";
  }

  @Test
  void aWellFormedFileIsRead() throws Exception {
    assertEquals(Map.of("term", List.of("36", "60")),
        Vocabularies.read(file("{\"term\": [\"36\", \"60\"]}").toString(), new Configuration()));
  }

  @Test
  void malformedJson() throws Exception {
    assertEquals(prefix() + "malformed JSON (line 2, column " + (15 + UNEXPECTED_CHARACTER_OFFSET) + "): Unexpected"
        + " character ('\"' (code 34)): was expecting comma to separate Array entries",
        failure("{\"term\": [\"36\", \"60\"],\n \"make\": [\"a\" \"b\"]}"));
  }

  @Test
  void anUnclosedListNamesWhereItStarted() throws Exception {
    assertEquals(prefix() + "malformed JSON (line 1, column 14): Unexpected end-of-input: expected close marker for"
        + " Array (start marker at line 1, column 10)", failure("{\"term\": [\"a\""));
  }

  @Test
  void wrongShapesNameTheKey() throws Exception {
    assertEquals(prefix() + "expected a JSON object mapping column names to lists of categories, and 'term' is not"
        + " a list of categories (line 1, column 10)", failure("{\"term\": \"36\"}"));
    assertEquals(prefix() + "expected a JSON object mapping column names to lists of categories, and 'term[1]' is"
        + " not a category (line 1, column 17)", failure("{\"term\": [\"36\", {\"a\": 1}]}"));
    assertEquals(prefix() + "expected a JSON object mapping column names to lists of categories (line 1, column 1)",
        failure("[\"36\"]"));
  }

  @Test
  void emptyOrTrailingText() throws Exception {
    assertEquals(prefix() + "it is empty", failure("\n"));
    assertEquals(prefix() + "expected a JSON object mapping column names to lists of categories (line 2, column 1)",
        failure("{\"term\": [\"36\"]}\n{"));
  }
}
