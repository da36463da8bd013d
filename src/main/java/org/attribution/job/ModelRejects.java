package org.attribution.job;

import static org.apache.spark.sql.functions.col;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.data.FeatureEncoder;
import org.attribution.output.ResultSchema;

/**
 * Rows the model could not explain: its output, or an attribution computed from it, is NaN or
 * infinite. Such a row is a reject like a row with a null feature: it goes to the {@code rejects}
 * table with its reason, counts against {@code input.max_reject_share}, and none of its
 * non-finite results enters a statistic. A model that gives NaN for every row therefore refuses
 * the run instead of publishing a table of zeros.
 */
final class ModelRejects {

  /** Column of the model's reason in {@link #schema}. */
  static final String REASON = "model_reason";

  private ModelRejects() {}

  /**
   * Why a result is not usable, or null when it is. The rule is the one the statistics use to
   * leave a result out ({@link org.attribution.aggregate.ResultSums#add}): its output or its
   * completeness gap is not finite. The reason names the first of the output, the reference and
   * the attributions that is not finite; only the attributions are looked at one by one, and only
   * for a result that is rejected.
   *
   * @param gap the result's completeness gap, which any non-finite reference or attribution makes
   *     non-finite too
   * @param attributions the result's attributions, one per feature from {@code offset}
   */
  static String reason(int target, double prediction, double reference, double gap, double[] attributions,
      int offset, List<String> features) {
    if (Double.isFinite(prediction) && Double.isFinite(gap)) {
      return null;
    }
    if (!Double.isFinite(prediction)) {
      return "model output is " + kind(prediction) + " for target " + target;
    }
    if (!Double.isFinite(reference)) {
      return "model output is " + kind(reference) + " at the reference (baseline or background) for target " + target;
    }
    for (int f = 0; f < features.size(); f++) {
      double value = attributions[offset + f];
      if (!Double.isFinite(value)) {
        return "model output is finite but the attribution of '" + features.get(f) + "' is " + kind(value)
            + " for target " + target;
      }
    }
    return "model output is finite but its attributions sum to more than a double holds for target " + target;
  }

  /** Whether a reject reason is one of this class's, for counting the model's share. */
  static Column isModelReason(Column reason) {
    return reason.startsWith("model output is ");
  }

  private static String kind(double value) {
    return Double.isNaN(value) ? "NaN" : "infinite";
  }

  /** (row id, reason) rows, with the id typed as in the per-row table. */
  static StructType schema(DataType idType) {
    return DataTypes.createStructType(List.of(
        DataTypes.createStructField("row_id", idType, true),
        DataTypes.createStructField(REASON, DataTypes.StringType, false)));
  }

  /**
   * The rejects among a per-row table's results, one per result that is not finite. Only called
   * when the run counted such results, so a clean run reads its table no second time.
   */
  static Dataset<Row> fromResults(SparkSession spark, Dataset<Row> results, List<String> features, DataType idType) {
    StructType schema = results.schema();
    int id = schema.fieldIndex("row_id");
    int target = schema.fieldIndex("target");
    int prediction = schema.fieldIndex("prediction");
    int reference = schema.fieldIndex("reference");
    int gap = schema.fieldIndex("completeness_gap");
    int[] featureAt = features.stream().mapToInt(f -> schema.fieldIndex(ResultSchema.column(f))).toArray();
    FlatMapFunction<Iterator<Row>, Row> rejects = rows -> {
      List<Row> found = new ArrayList<>();
      double[] values = new double[featureAt.length];
      while (rows.hasNext()) {
        Row row = rows.next();
        for (int f = 0; f < featureAt.length; f++) {
          values[f] = row.getDouble(featureAt[f]);
        }
        String reason = reason(row.getInt(target), row.getDouble(prediction), row.getDouble(reference),
            row.getDouble(gap), values, 0, features);
        if (reason != null) {
          found.add(RowFactory.create(row.get(id), reason));
        }
      }
      return found.iterator();
    };
    JavaRDD<Row> found = results.javaRDD().mapPartitions(rejects);
    return spark.createDataFrame(found, schema(idType));
  }

  /**
   * The input's rows with their reject reason: the encoder's where it has one, else the model's
   * where the row's id is among {@code modelRejects} (null for none).
   *
   * @param withIds the input with its {@code reject_row_id} and encoder {@code reject_reason}
   *     columns
   */
  static Dataset<Row> tag(Dataset<Row> withIds, Dataset<Row> modelRejects) {
    if (modelRejects == null) {
      return withIds;
    }
    // One reason per id: a row explained for several targets may be rejected for more than one.
    Dataset<Row> byId = modelRejects.groupBy(col("row_id").as("model_row_id"))
        .agg(org.apache.spark.sql.functions.min(REASON).as(REASON));
    List<Column> columns = new ArrayList<>();
    for (String name : withIds.columns()) {
      columns.add(name.equals("reject_reason")
          ? org.apache.spark.sql.functions.coalesce(withIds.col("reject_reason"), byId.col(REASON)).as("reject_reason")
          : withIds.col(FeatureEncoder.quoted(name)));
    }
    return withIds.join(byId, withIds.col("reject_row_id").equalTo(byId.col("model_row_id")), "left")
        .select(columns.toArray(new Column[0]));
  }
}
