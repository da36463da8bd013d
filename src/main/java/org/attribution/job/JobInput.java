package org.attribution.job;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.config.FeaturesConfig;
import org.attribution.config.InputConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.data.FeatureEncoder;
import org.attribution.data.MalformedLines;
import org.attribution.data.NumbersAsText;

/**
 * The rows a run explains, and what the job knows about how they were read.
 *
 * <p>A CSV file is read with its schema (from {@code input.schema}, else Spark's inference) plus
 * a column, {@value #MALFORMED_LINE} unless {@code input.options.columnNameOfCorruptRecord} names
 * another, that holds the raw text of every line the reader could not read: such a row is
 * rejected with the reason {@link MalformedLines} gives, and its text stays in the rejects table.
 *
 * <p>Schema problems of a CSV file are diagnosed from its data, which only a failing run pays
 * for: a header without rows, malformed lines that made inference read a numeric column as text
 * (the schema is then inferred again from the well-formed lines alone), and missing-value markers
 * such as R's {@code NA} that made numbers text.
 */
final class JobInput {

  /** The raw text of a line the CSV reader could not read; null on other rows. */
  static final String MALFORMED_LINE = "malformed_line";

  private final Dataset<Row> rows;
  private final StructType dataSchema;
  private final Csv csv;

  /**
   * How a CSV input was read.
   *
   * @param spark the session that read it
   * @param input the input section
   * @param lineColumn the corrupt-record column
   * @param inferred whether Spark inferred the schema
   */
  private record Csv(SparkSession spark, InputConfig input, String lineColumn, boolean inferred) {}

  private JobInput(Dataset<Row> rows, StructType dataSchema, Csv csv) {
    this.rows = rows;
    this.dataSchema = dataSchema;
    this.csv = csv;
  }

  /** A dataset given by the caller, explained as it is. */
  static JobInput of(Dataset<Row> rows, FeaturesConfig features) {
    Dataset<Row> normalised = FeatureEncoder.normalise(rows, features);
    return new JobInput(normalised, normalised.schema(), null);
  }

  /**
   * Reads an input section. Inferring a CSV file's schema reads the whole file (as Spark always
   * does for {@code inferSchema}); nothing else is read until the rows are used.
   *
   * @throws InvalidJobException when Spark cannot read the input
   */
  static JobInput read(SparkSession spark, InputConfig in, FeaturesConfig features) {
    try {
      if (in.table() != null) {
        return of(spark.table(in.table()), features);
      }
      if (!in.format().equals("csv")) {
        DataFrameReader reader = spark.read().format(in.format()).options(in.options());
        return of((in.schema() != null ? reader.schema(in.schema()) : reader).load(in.path()), features);
      }
      String lineColumn = option(in.options(), "columnNameOfCorruptRecord", MALFORMED_LINE);
      StructType schema = in.schema() != null
          ? StructType.fromDDL(in.schema())
          : spark.read().format("csv").options(in.options()).load(in.path()).schema();
      return readCsv(new Csv(spark, in, lineColumn, in.schema() == null), schema);
    } catch (Exception e) {
      if (e instanceof AnalysisException || e.getCause() instanceof AnalysisException) {
        String source = in.table() != null ? "table " + in.table() : in.path();
        throw new InvalidJobException("Cannot read input " + source + ": " + firstLine(e.getMessage()), e);
      }
      throw e;
    }
  }

  private static JobInput readCsv(Csv csv, StructType schema) {
    if (Arrays.asList(schema.fieldNames()).contains(csv.lineColumn())) {
      throw new InvalidJobException("Cannot read input " + csv.input().path() + ": it has a column '"
          + csv.lineColumn() + "', the name the job gives the text of malformed lines; name another with "
          + "input.options.columnNameOfCorruptRecord");
    }
    Dataset<Row> rows = csv.spark().read().format("csv").options(csv.input().options())
        .option("columnNameOfCorruptRecord", csv.lineColumn())
        .schema(schema.add(csv.lineColumn(), DataTypes.StringType))
        .load(csv.input().path());
    return new JobInput(rows, schema, csv);
  }

  /** The rows, with the malformed-line column for CSV input. */
  Dataset<Row> rows() {
    return rows;
  }

  /** The rows without malformed lines and their column: for inputs whose bad rows are left out. */
  Dataset<Row> wellFormedRows() {
    return csv == null ? rows : rows.filter(malformedReason().isNull()).drop(csv.lineColumn());
  }

  /** Why a row cannot be explained: a malformed line, else what the encoder says; null for a good row. */
  Column rejectReason(FeatureEncoder encoder) {
    return csv == null ? encoder.rejectReason() : functions.coalesce(malformedReason(), encoder.rejectReason());
  }

  /**
   * Checks the input's columns against the features.
   *
   * @return this input, or for a CSV file whose inferred schema malformed lines spoiled, the file
   *     read again with the schema of its well-formed lines
   * @throws InvalidJobException naming what does not fit
   */
  JobInput checked(FeatureEncoder encoder) {
    try {
      encoder.checkSchema(dataSchema);
      return this;
    } catch (InvalidJobException e) {
      if (csv == null) {
        throw e;
      }
      if (rows.isEmpty()) {
        throw new InvalidJobException("Cannot explain " + csv.input().path() + ": it has no rows", e);
      }
      if (encoder.numericFeaturesAsText(dataSchema).isEmpty()) {
        // A missing column or another type: the data cannot say more than the schema did.
        throw e;
      }
      JobInput input = canInferAgain() ? inferredFromWellFormedLines() : this;
      try {
        encoder.checkSchema(input.dataSchema);
        return input;
      } catch (InvalidJobException again) {
        throw input.explained(encoder, again);
      }
    }
  }

  /**
   * Whether a new inference could give another schema: Spark inferred this one, some lines are
   * malformed, and lines are records (a multi-line record cannot be told apart by lines).
   */
  private boolean canInferAgain() {
    return csv.inferred() && !Boolean.parseBoolean(option(csv.input().options(), "multiLine", "false"))
        && !rows.filter(malformedReason().isNotNull()).isEmpty();
  }

  private JobInput inferredFromWellFormedLines() {
    MalformedLines malformed = malformedLines();
    int fields = dataSchema.size();
    DataFrameReader text = csv.spark().read();
    String lineSep = option(csv.input().options(), "lineSep", null);
    if (lineSep != null) {
      text = text.option("lineSep", lineSep);
    }
    Dataset<String> lines = text.text(csv.input().path()).as(Encoders.STRING())
        .filter((FilterFunction<String>) line -> malformed.fieldCount(line) == fields);
    return readCsv(csv, csv.spark().read().options(csv.input().options()).csv(lines).schema());
  }

  /** The check's failure, with the values that made numeric columns text when there are such columns. */
  private InvalidJobException explained(FeatureEncoder encoder, InvalidJobException failure) {
    List<String> columns = encoder.numericFeaturesAsText(dataSchema);
    if (columns.isEmpty()) {
      return failure;
    }
    csv.spark().sparkContext().setJobDescription("Looking for values that are not numbers");
    return new InvalidJobException(NumbersAsText.message(columns, NumbersAsText.sample(wellFormedRows(), columns)),
        failure);
  }

  private Column malformedReason() {
    return malformedLines().reason(csv.lineColumn());
  }

  private MalformedLines malformedLines() {
    return new MalformedLines(csv.input().options(), dataSchema);
  }

  /** An option's value: Spark reads option names in any case. */
  private static String option(Map<String, String> options, String name, String absent) {
    return options.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue)
        .findFirst().orElse(absent);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
