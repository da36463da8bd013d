package org.attribution.config;

import java.io.Serializable;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Where the rows come from: a path Spark can read, or a table name.
 *
 * @param path a file or directory (any Hadoop file system URI), or null when {@code table} is set
 * @param format parquet, csv, orc or json; inferred from the path's extension when absent
 * @param table a catalog table name, instead of a path
 * @param options reader options passed to Spark as they are; CSV gets header and inferSchema unless
 *     given
 * @param schema an optional DDL schema for text formats, e.g. {@code "a INT, b DOUBLE"}
 * @param idColumn the column identifying a row; when absent a stable id is derived from the row
 * @param partitions repartition the input into this many partitions before explaining it
 * @param maxRejectShare the largest share of rows that may be rejected before the run is refused
 */
public record InputConfig(
    String path,
    String format,
    String table,
    Map<String, String> options,
    String schema,
    String idColumn,
    Integer partitions,
    Double maxRejectShare)
    implements Serializable {

  static final Set<String> FORMATS = Set.of("parquet", "csv", "orc", "json");

  public InputConfig {
    if (format == null && path != null) {
      format = inferFormat(path);
    }
    if (format != null) {
      format = format.toLowerCase(Locale.ROOT);
    }
    maxRejectShare = maxRejectShare == null ? Defaults.MAX_REJECT_SHARE : maxRejectShare;
    options = withDefaults(options == null ? Map.of() : options, "csv".equals(format) ? Defaults.CSV_OPTIONS : Map.of());
  }

  /**
   * The options with each default the user did not give: setting one CSV option, such as
   * {@code --set input.options.nullValue=NA}, must not turn off the header. Spark reads option
   * names in any case, so a default yields to the same name in another case.
   */
  private static Map<String, String> withDefaults(Map<String, String> options, Map<String, String> defaults) {
    Map<String, String> merged = new TreeMap<>(options);
    Set<String> given = options.keySet().stream().map(k -> k.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    defaults.forEach((key, value) -> {
      if (!given.contains(key.toLowerCase(Locale.ROOT))) {
        merged.put(key, value);
      }
    });
    return Map.copyOf(merged);
  }

  private static String inferFormat(String path) {
    String lower = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
    for (String format : FORMATS) {
      if (lower.endsWith("." + format)) {
        return format;
      }
    }
    return Defaults.INPUT_FORMAT;
  }
}
