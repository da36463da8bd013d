package org.attribution.config;

import java.io.Serializable;

/**
 * Where results go.
 *
 * @param path the output directory (any Hadoop file system URI): the Parquet tables, or with a
 *     table format its embedded tables when no {@code tablePrefix} is given, and always the
 *     manifests and reports
 * @param perRow also write every row's attributions
 * @param format {@code parquet}, {@code iceberg} or {@code delta}
 * @param tablePrefix with a table format, the prefix of the tables' names in the Spark catalog
 *     (e.g. {@code audits.lending_club_}); absent, the tables live under {@code path}
 */
public record OutputConfig(String path, Boolean perRow, String format, String tablePrefix) implements Serializable {

  public OutputConfig {
    perRow = perRow == null ? Defaults.PER_ROW : perRow;
    format = format == null ? Defaults.OUTPUT_FORMAT : format;
  }
}
