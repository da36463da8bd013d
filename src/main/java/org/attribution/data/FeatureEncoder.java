package org.attribution.data;

import static org.apache.spark.ml.functions.vector_to_array;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.when;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.attribution.config.FeaturesConfig;
import org.attribution.config.InvalidJobException;
import org.attribution.method.FeatureGroups;
import org.attribution.method.ImagePatches;

/**
 * Turns input rows into the model's float input vector, and says which rows cannot be encoded.
 *
 * <p>The work is split so that Spark SQL does everything that depends on column types (casts,
 * category lookups, reject reasons) and the executor loop only copies primitives: after
 * {@link #encodedColumns()}, a numeric feature is a double, a categorical feature is its
 * vocabulary index and a vector feature is an {@code array<double>}. Rows for which
 * {@link #rejectReason()} is not null never reach the model; they keep all their columns in the
 * rejects output.
 */
public final class FeatureEncoder implements Serializable {

  private static final long serialVersionUID = 1L;
  private static final double INF = Double.POSITIVE_INFINITY;

  private final List<Feature> features;
  private final int width;
  private final FeatureGroups groups;
  private final List<String> playerNames;

  /**
   * @param features the features in model input order
   * @param namedGroups groups of feature names reported as one player, placed where their first
   *     member stands
   */
  FeatureEncoder(List<Feature> features, Map<String, List<String>> namedGroups) {
    this.features = List.copyOf(features);
    Map<String, String> groupOf = new HashMap<>();
    namedGroups.forEach((group, members) -> members.forEach(member -> groupOf.put(member, group)));
    Map<String, Integer> playerOfName = new LinkedHashMap<>();
    List<Integer> playerOfColumn = new ArrayList<>();
    int offset = 0;
    for (Feature feature : this.features) {
      if (feature.offset() != offset) {
        throw new IllegalStateException("feature " + feature.name() + " is not at offset " + offset);
      }
      offset += feature.width();
      for (int i = 0; i < feature.width(); i++) {
        // A vector's elements are features of their own; other features own all their slots.
        String name = feature.kind() == Feature.Kind.VECTOR ? feature.elementNames().get(i) : feature.name();
        String player = groupOf.getOrDefault(name, name);
        playerOfColumn.add(playerOfName.computeIfAbsent(player, p -> playerOfName.size()));
      }
    }
    this.width = offset;
    this.playerNames = List.copyOf(playerOfName.keySet());
    this.groups = new FeatureGroups(playerOfColumn.stream().mapToInt(Integer::intValue).toArray(), playerNames.size());
  }

  /** Width of the encoded vector: the model's input width. */
  public int width() {
    return width;
  }

  /** How encoded columns map onto the reported features. */
  public FeatureGroups groups() {
    return groups;
  }

  /** The features as reported, one per player (a group counts once), in player order. */
  public List<String> playerNames() {
    return playerNames;
  }

  /** The features as configured, in model input order. */
  public List<Feature> features() {
    return features;
  }

  /**
   * The columns {@link #encode} reads, in order: numeric features cast to double, categorical
   * features as their 0-based vocabulary index, a vector feature as {@code array<double>}.
   * Only meaningful on rows whose {@link #rejectReason()} is null.
   */
  public Column[] encodedColumns() {
    Column[] columns = new Column[features.size()];
    for (int i = 0; i < features.size(); i++) {
      Feature feature = features.get(i);
      Column source = col(quoted(feature.column()));
      columns[i] = switch (feature.kind()) {
        case NUMERIC -> source.cast("double");
        case CATEGORICAL -> array_position(vocabulary(feature), source.cast("string"))
            .minus(1).cast("int");
        case VECTOR -> source;
      };
      columns[i] = columns[i].as("__f" + i);
    }
    return columns;
  }

  /** Why a row cannot be encoded, naming the first offending feature; null for a good row. */
  public Column rejectReason() {
    Column[] reasons = new Column[features.size()];
    for (int i = 0; i < features.size(); i++) {
      reasons[i] = reasonFor(features.get(i));
    }
    return coalesce(reasons);
  }

  private static Column reasonFor(Feature feature) {
    Column c = col(quoted(feature.column()));
    String name = "'" + feature.column() + "'";
    return switch (feature.kind()) {
      case NUMERIC -> {
        Column asDouble = c.cast("double");
        yield when(c.isNull(), lit("null value in feature " + name))
            .when(isnan(asDouble), lit("NaN in feature " + name))
            .when(abs(asDouble).equalTo(lit(INF)), lit("infinite value in feature " + name));
      }
      case CATEGORICAL -> when(c.isNull(), lit("null value in feature " + name))
          .when(array_position(vocabulary(feature), c.cast("string")).equalTo(0),
              concat(lit("unknown category '"), c.cast("string"), lit("' in feature " + name)));
      case VECTOR -> when(c.isNull(), lit("null vector in feature " + name))
          .when(size(c).notEqual(lit(feature.width())),
              concat(lit("vector of length "), size(c).cast("string"),
                  lit(" in feature " + name + ", expected " + feature.width())))
          .when(exists(c, x -> x.isNull().or(isnan(x)).or(abs(x).equalTo(lit(INF)))),
              lit("null, NaN or infinite element in feature " + name));
    };
  }

  /**
   * Writes one row's encoded vector.
   *
   * @param row a row holding {@link #encodedColumns()} from field {@code firstField} on
   * @param dest the batch buffer, zero at this row's slots (one-hot writes only the ones)
   * @param destOffset where this row's vector starts in {@code dest}
   */
  public void encode(Row row, int firstField, float[] dest, int destOffset) {
    for (int i = 0; i < features.size(); i++) {
      Feature feature = features.get(i);
      int field = firstField + i;
      int at = destOffset + feature.offset();
      switch (feature.kind()) {
        case NUMERIC -> dest[at] = (float) row.getDouble(field);
        case CATEGORICAL -> dest[at + row.getInt(field)] = 1f;
        case VECTOR -> {
          List<Double> values = row.getList(field);
          for (int k = 0; k < feature.width(); k++) {
            dest[at + k] = values.get(k).floatValue();
          }
        }
      }
    }
  }

  /**
   * Builds the encoder from the job file alone, so the model can be checked against its width
   * before any data is read.
   *
   * @param config the features section of the job file
   * @param fileVocabularies vocabularies read from {@code config.vocabularyFile()}, or empty
   * @param vectorWidth gives the length of the vector column when {@code vector_names} does not;
   *     called only in vector mode, since it has to look at the data
   * @throws InvalidJobException when a categorical feature has no vocabulary
   */
  public static FeatureEncoder build(
      FeaturesConfig config, Map<String, List<String>> fileVocabularies, IntSupplier vectorWidth) {
    return build(config, fileVocabularies, vectorWidth, null);
  }

  /**
   * Builds the encoder as {@link #build(FeaturesConfig, Map, IntSupplier)} does, with the model's
   * row shape, which {@code features.patches} cuts into patches.
   *
   * @param inputShape the model's {@code input_shape}; null for flat rows
   * @throws InvalidJobException when patches are asked for and the rows are not images
   */
  public static FeatureEncoder build(FeaturesConfig config, Map<String, List<String>> fileVocabularies,
      IntSupplier vectorWidth, List<Integer> inputShape) {
    List<Feature> features = new ArrayList<>();
    if (config.vectorColumn() != null) {
      String column = config.vectorColumn();
      int width = config.vectorNames().isEmpty() ? vectorWidth.getAsInt() : config.vectorNames().size();
      List<String> names = new ArrayList<>(config.vectorNames());
      for (int i = names.size(); i < width; i++) {
        names.add(column + "_" + i);
      }
      features.add(new Feature(column, column, Feature.Kind.VECTOR, List.of(), names, 0, width));
      return new FeatureEncoder(features, config.patches() == null ? config.groups()
          : patchGroups(config.patches(), inputShape, names));
    }
    int offset = 0;
    for (String column : config.columns()) {
      Feature feature;
      if (config.categorical().contains(column)) {
        List<String> vocabulary = config.vocabulary().getOrDefault(column, fileVocabularies.get(column));
        if (vocabulary == null || vocabulary.isEmpty()) {
          throw new InvalidJobException("Cannot encode categorical feature '" + column
              + "': no vocabulary (give features.vocabulary." + column + " or list it in features.vocabulary_file)");
        }
        feature = new Feature(column, column, Feature.Kind.CATEGORICAL, vocabulary, List.of(), offset, vocabulary.size());
      } else {
        feature = new Feature(column, column, Feature.Kind.NUMERIC, List.of(), List.of(), offset, 1);
      }
      features.add(feature);
      offset += feature.width();
    }
    return new FeatureEncoder(features, config.groups());
  }

  /** Each patch as a named group of the vector's elements. */
  private static Map<String, List<String>> patchGroups(FeaturesConfig.Patches patches, List<Integer> inputShape,
      List<String> names) {
    if (inputShape == null) {
      throw new InvalidJobException("Cannot cut features.patches: they need model.input_shape, the image's"
          + " [channels, height, width]");
    }
    Map<String, List<Integer>> columns;
    try {
      columns = ImagePatches.columns(inputShape, patches.size());
    } catch (IllegalArgumentException e) {
      throw new InvalidJobException("Cannot cut features.patches: " + e.getMessage(), e);
    }
    Map<String, List<String>> groups = new LinkedHashMap<>();
    columns.forEach((patch, indices) -> {
      if (indices.get(indices.size() - 1) >= names.size()) {
        throw new InvalidJobException("Cannot cut features.patches: model.input_shape " + inputShape
            + " holds more values than the vector's " + names.size());
      }
      groups.put(patch, indices.stream().map(names::get).toList());
    });
    return groups;
  }

  /**
   * Checks that the input has every feature column with a type this encoder can read.
   *
   * @throws InvalidJobException naming the first column that is missing or of the wrong type; when
   *     that is a numeric feature of type string, naming every such column
   */
  public void checkSchema(StructType schema) {
    for (Feature feature : features) {
      String column = feature.column();
      DataType type = typeOf(schema, column);
      if (feature.kind() == Feature.Kind.NUMERIC && type instanceof StringType) {
        throw new InvalidJobException(NumbersAsText.message(numericFeaturesAsText(schema)));
      }
      boolean fits = switch (feature.kind()) {
        case NUMERIC -> type instanceof NumericType;
        case CATEGORICAL -> type instanceof StringType || type instanceof NumericType || type instanceof BooleanType;
        case VECTOR -> type instanceof ArrayType array && array.elementType() instanceof NumericType
            || type instanceof VectorUDT;
      };
      if (!fits) {
        String expected = switch (feature.kind()) {
          case NUMERIC -> "a number (list it in features.categorical to one-hot encode it)";
          case CATEGORICAL -> "strings, numbers or booleans for a categorical feature";
          case VECTOR -> "an array of numbers or an ML vector";
        };
        throw new InvalidJobException("Cannot use feature column '" + column + "': it has type "
            + type.simpleString() + ", expected " + expected);
      }
    }
  }

  /** The numeric features whose column in {@code schema} has type string, in feature order. */
  public List<String> numericFeaturesAsText(StructType schema) {
    return features.stream()
        .filter(f -> f.kind() == Feature.Kind.NUMERIC && schema.getFieldIndex(f.column()).isDefined()
            && schema.apply(f.column()).dataType() instanceof StringType)
        .map(Feature::column)
        .toList();
  }

  /**
   * Returns the input with an ML vector feature column turned into {@code array<double>}, so that
   * reject checks and encoding see one representation; other inputs are returned as they are.
   */
  public static Dataset<Row> normalise(Dataset<Row> input, FeaturesConfig config) {
    String column = config.vectorColumn();
    if (column == null || !(typeOf(input.schema(), column) instanceof VectorUDT)) {
      return input;
    }
    return input.withColumn(column, vector_to_array(col(quoted(column)), "float64"));
  }

  private static DataType typeOf(StructType schema, String column) {
    for (StructField field : schema.fields()) {
      if (field.name().equals(column)) {
        return field.dataType();
      }
    }
    throw new InvalidJobException("Cannot use feature column '" + column + "': no such column in the input (columns: "
        + String.join(", ", schema.fieldNames()) + ")");
  }

  /** The vocabulary as an array literal; lookups are by position, 1-based, 0 when absent. */
  private static Column vocabulary(Feature feature) {
    return lit(feature.vocabulary().toArray(new String[0]));
  }

  /** A column name as Spark SQL reads it literally, whatever characters it has. */
  public static String quoted(String column) {
    return "`" + column.replace("`", "``") + "`";
  }
}
