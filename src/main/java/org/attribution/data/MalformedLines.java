package org.attribution.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import com.univocity.parsers.csv.CsvParser;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.catalyst.csv.CSVOptions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Says why Spark's CSV reader could not read a line: it splits into more or fewer fields than the
 * schema has columns, or one of its fields does not parse as its column's type.
 *
 * <p>The reader keeps the raw text of such a line in its corrupt-record column; this splits that
 * text again with the reader's own tokenizer settings ({@link CSVOptions#asParserSettings()}, from
 * the same options), so quotes, escapes and the delimiter count exactly as they did when the line
 * was read. Only malformed lines are split again: good lines cost one null check.
 */
public final class MalformedLines implements UDF2<String, Row, String> {

  private static final long serialVersionUID = 1L;

  private final HashMap<String, String> options;
  private final StructType schema;

  /**
   * @param options the CSV reader's options, as the input was read with them
   * @param schema the columns a line should have, without the corrupt-record column
   */
  public MalformedLines(Map<String, String> options, StructType schema) {
    this.options = new HashMap<>(options);
    this.schema = schema;
  }

  /**
   * The reject reason of a row: {@code malformed line: ...} when {@code lineColumn} holds a line's
   * text, else null.
   */
  public Column reason(String lineColumn) {
    Column line = col(FeatureEncoder.quoted(lineColumn));
    // The row makes every column part of the scan. Spark's CSV reader splits a line only into the
    // columns a query reads, and then never sees that the line has too many fields.
    Column row = struct(Arrays.stream(schema.fieldNames()).map(n -> col(FeatureEncoder.quoted(n))).toArray(Column[]::new));
    return when(line.isNotNull(), udf(this, DataTypes.StringType).apply(line, row));
  }

  /** How many fields the CSV reader splits {@code line} into. */
  public int fieldCount(String line) {
    String[] fields = parser().parseLine(line);
    return fields == null ? 0 : fields.length;
  }

  /**
   * @param line the raw text of a line the reader could not read
   * @param row what the reader made of it: null where a field did not parse
   */
  @Override
  public String call(String line, Row row) {
    String[] fields = parser().parseLine(line);
    int count = fields == null ? 0 : fields.length;
    if (count != schema.size()) {
      return "malformed line: " + count + " fields, expected " + schema.size();
    }
    String nullValue = csvOptions().nullValue();
    for (int i = 0; i < count; i++) {
      if (row.isNullAt(i) && fields[i] != null && !fields[i].equals(nullValue)) {
        return "malformed line: '" + fields[i] + "' in column '" + schema.fields()[i].name() + "' is not of type "
            + schema.fields()[i].dataType().simpleString();
      }
    }
    return "malformed line";
  }

  private CsvParser parser() {
    return new CsvParser(csvOptions().asParserSettings());
  }

  private CSVOptions csvOptions() {
    // Built with updated(), which Scala 2.12 and 2.13 share: their Java converters differ, and
    // the job builds for both (Spark 3.5 and 4.0).
    scala.collection.immutable.Map<String, String> parameters = scala.collection.immutable.Map$.MODULE$.empty();
    for (Map.Entry<String, String> option : options.entrySet()) {
      parameters = parameters.updated(option.getKey(), option.getValue());
    }
    // The time zone only matters for timestamps, which splitting a line never parses.
    return new CSVOptions(parameters, false, "UTC");
  }
}
