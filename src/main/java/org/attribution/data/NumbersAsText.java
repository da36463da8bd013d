package org.attribution.data;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.struct;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.attribution.config.JobConfigLoader;

/**
 * Numeric features whose column holds text: the message that names them all, and for text files
 * the values that are not numbers, which usually say what went wrong. A CSV file exported from R
 * writes {@code NA} for a missing number, so Spark's schema inference reads the column as text;
 * the fix is a reader option, not a categorical feature.
 */
public final class NumbersAsText {

  /** Values shown per column, the most frequent first. */
  static final int SHOWN = 5;
  /** Longer values are cut: they are shown to be recognised, not read in full. */
  private static final int SHOWN_LENGTH = 30;
  /** How files commonly write a missing value, compared trimmed and in lower case. */
  private static final Set<String> MISSING_MARKERS = Set.of("", "na", "n/a", "nan", "null", "none", "?", "-", ".");

  private NumbersAsText() {}

  /**
   * A column's values that are not numbers.
   *
   * @param values the most frequent ones, at most {@link #SHOWN}, most frequent first
   * @param distinct how many distinct ones the column has
   */
  public record Sample(List<String> values, long distinct) {}

  /** The message from the schema alone, for inputs whose values are not looked at. */
  public static String message(List<String> columns) {
    return subject(columns) + hintCategorical(columns);
  }

  /**
   * The message with each column's values that are not numbers, and what to set when they are
   * missing-value markers.
   *
   * @param columns the feature columns of type string, in feature order
   * @param samples each column's sample, from {@link #sample}
   */
  public static String message(List<String> columns, Map<String, Sample> samples) {
    String seen = columns.stream()
        .filter(c -> samples.get(c).distinct() > 0)
        .map(c -> c + " " + shown(samples.get(c)))
        .collect(Collectors.joining("; "));
    if (seen.isEmpty()) {
      return subject(columns) + "; every value is a number: set input.options.inferSchema=true, or give "
          + (columns.size() == 1 ? "it a numeric type" : "them numeric types") + " in input.schema";
    }
    String found = subject(columns) + "; values that are not numbers: " + seen;
    Set<String> markers = new LinkedHashSet<>();
    for (String column : columns) {
      Sample sample = samples.get(column);
      if (sample.values().size() < sample.distinct() || !sample.values().stream().allMatch(NumbersAsText::isMarker)) {
        return found + hintCategorical(columns);
      }
      // An empty field is read as null already, whatever input.options.nullValue says.
      sample.values().stream().filter(v -> !v.isEmpty()).forEach(markers::add);
    }
    String first = markers.iterator().next();
    if (markers.size() == 1) {
      return found + ". These mark missing values: read them as nulls with " + nullValueSetting(first);
    }
    return found + ". These mark missing values, but input.options.nullValue reads only one marker as null (e.g. "
        + nullValueSetting(first) + "): write the file with one marker";
  }

  /**
   * Each column's values that are not numbers: one Spark job over the whole input, worth it only
   * once the run has failed.
   */
  public static Map<String, Sample> sample(Dataset<Row> rows, List<String> columns) {
    Column[] pairs = columns.stream()
        .map(c -> struct(lit(c).as("column"), col(FeatureEncoder.quoted(c)).cast("string").as("value")))
        .toArray(Column[]::new);
    Column value = col("pair.value");
    // SQL's try_cast, since Column.try_cast is new in Spark 4.0 and the job builds for 3.5 too.
    Column asDouble = expr("try_cast(pair.value AS DOUBLE)");
    List<Row> found = rows.select(explode(array(pairs)).as("pair"))
        .filter(value.isNotNull().and(asDouble.isNull()))
        .groupBy(col("pair.column").as("column"), value.as("value")).agg(count(lit(1)).as("n"))
        .withColumn("rank", row_number().over(Window.partitionBy("column").orderBy(desc("n"), col("value"))))
        .withColumn("distinct", count(lit(1)).over(Window.partitionBy("column")))
        .filter(col("rank").leq(SHOWN))
        .orderBy("column", "rank")
        .collectAsList();
    Map<String, Sample> samples = new LinkedHashMap<>();
    for (String column : columns) {
      List<Row> ofColumn = found.stream().filter(r -> r.getString(0).equals(column)).toList();
      samples.put(column, new Sample(ofColumn.stream().map(r -> r.getString(1)).toList(),
          ofColumn.isEmpty() ? 0 : ofColumn.get(0).getLong(4)));
    }
    return samples;
  }

  private static String subject(List<String> columns) {
    String names = columns.stream().map(c -> "'" + c + "'").collect(Collectors.joining(", "));
    return columns.size() == 1
        ? "Cannot use feature column " + names + ": it has type string, expected a number"
        : "Cannot use feature columns " + names + ": they have type string, expected numbers";
  }

  private static String hintCategorical(List<String> columns) {
    return columns.size() == 1
        ? " (list it in features.categorical to one-hot encode it)"
        : " (list categorical ones in features.categorical to one-hot encode them)";
  }

  private static String shown(Sample sample) {
    List<String> quoted = new ArrayList<>();
    for (String value : sample.values()) {
      quoted.add("'" + (value.length() > SHOWN_LENGTH ? value.substring(0, SHOWN_LENGTH) + "..." : value) + "'");
    }
    long more = sample.distinct() - sample.values().size();
    return String.join(", ", quoted) + (more > 0 ? " and " + more + " more" : "");
  }

  static boolean isMarker(String value) {
    return MISSING_MARKERS.contains(value.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * The command-line option that sets {@code nullValue} to {@code marker}: as it is where the job
   * file's YAML reads it back as that text and the shell leaves it alone, else quoted for both
   * ({@code null} is YAML's null, {@code ?} a shell pattern).
   */
  static String nullValueSetting(String marker) {
    String setting = "input.options.nullValue=";
    if (marker.matches("[A-Za-z0-9_./]+") && readsBackAs(marker)) {
      return "--set " + setting + marker;
    }
    return "--set \"" + setting + "'" + marker.replace("'", "''").replace("\"", "\\\"") + "'\"";
  }

  private static boolean readsBackAs(String text) {
    try {
      JsonNode node = JobConfigLoader.mapper().readTree(text);
      return node != null && node.isTextual() && node.asText().equals(text);
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
