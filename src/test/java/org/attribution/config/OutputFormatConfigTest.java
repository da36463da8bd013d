package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code output.format} and {@code output.table_prefix}: defaults and the exact messages. */
class OutputFormatConfigTest {

  @TempDir Path dir;

  JobConfig load(String output) throws Exception {
    Path file = Files.writeString(dir.resolve("job.yaml"), """
        input: {path: cars.parquet}
        features: {columns: [price]}
        model: {path: m.pt}
        output: %s
        """.formatted(output));
    return JobConfigValidator.validate(JobConfigLoader.load(file, Map.of()));
  }

  String failure(String output) {
    return assertThrows(InvalidJobException.class, () -> load(output)).getMessage();
  }

  @Test
  void parquetIsTheDefault() throws Exception {
    OutputConfig output = load("{path: out}").output();
    assertEquals("parquet", output.format());
    assertNull(output.tablePrefix());
  }

  @Test
  void aTableFormatTakesAPrefix() throws Exception {
    assertEquals("audits.lending_club_",
        load("{path: out, format: iceberg, table_prefix: audits.lending_club_}").output().tablePrefix());
    assertEquals("glue.audits.", load("{path: out, format: delta, table_prefix: glue.audits.}").output().tablePrefix());
    assertEquals("lc_", load("{path: out, format: delta, table_prefix: lc_}").output().tablePrefix());
  }

  @Test
  void anUnknownFormatIsNamed() {
    assertEquals("Cannot run job: 'output.format' must be one of parquet, iceberg, delta, got 'hudi'",
        failure("{path: out, format: hudi}"));
  }

  @Test
  void parquetHasNoTables() {
    assertEquals("Cannot run job: 'output.table_prefix' names catalog tables, which only output.format iceberg or"
        + " delta writes; the parquet format writes under output.path", failure("{path: out, table_prefix: a.b_}"));
  }

  @Test
  void aPrefixMustBeginATableName() {
    assertEquals("Cannot run job: 'output.table_prefix' must be a table name's beginning, parts of letters, digits"
        + " and '_' separated by '.' (e.g. audits.lending_club_, or glue.audits. for plain names), got 'audits..x'",
        failure("{path: out, format: iceberg, table_prefix: 'audits..x'}"));
    assertEquals("Cannot run job: 'output.table_prefix' must be a table name's beginning, parts of letters, digits"
        + " and '_' separated by '.' (e.g. audits.lending_club_, or glue.audits. for plain names), got 'a-b.'",
        failure("{path: out, format: iceberg, table_prefix: 'a-b.'}"));
  }
}
