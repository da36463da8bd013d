package org.attribution.output;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Schema of per-row results, which is also the per-row output table: fixed columns, the segment
 * columns (as strings), one {@code attr_<feature>} column per reported feature, then for methods
 * that estimate their own error one {@code se_<feature>} column per feature, then a surrogate's fit
 * or, with a target error, what each row spent.
 */
public final class ResultSchema {

  /** Number of columns before the attribution columns. */
  public static final int FIXED_FIELDS = 7;
  /** Prefix of the per-feature attribution columns. */
  public static final String ATTRIBUTION_PREFIX = "attr_";
  /** The column of a surrogate method's per-row fit R^2 (LIME), after every other column. */
  public static final String FIT_R2 = "fit_r2";
  /** With a target error, the model evaluations each result spent, after every other column but {@link #TARGET_MET}. */
  public static final String EVALUATIONS = "evaluations";
  /** With a target error, whether each result's estimated error met it (false: it stopped at the cap); last. */
  public static final String TARGET_MET = "target_met";
  /** Prefix of the per-feature standard error columns. */
  public static final String STANDARD_ERROR_PREFIX = "se_";

  private ResultSchema() {}

  /**
   * Builds the schema.
   *
   * @param idType the type of the row id column, as in the input
   * @param features the reported features, in player order
   * @param segmentColumns the segment columns, carried through as strings
   * @param withStandardErrors add the {@code se_<feature>} columns
   */
  public static StructType of(
      DataType idType, List<String> features, List<String> segmentColumns, boolean withStandardErrors) {
    return of(idType, features, segmentColumns, withStandardErrors, false, false);
  }

  /**
   * Builds the schema, with the {@link #FIT_R2} column last when {@code withFit}, and the {@link
   * #EVALUATIONS} and {@link #TARGET_MET} columns last when {@code withEffort}.
   *
   * @see #of(DataType, List, List, boolean)
   */
  public static StructType of(DataType idType, List<String> features, List<String> segmentColumns,
      boolean withStandardErrors, boolean withFit, boolean withEffort) {
    List<StructField> fields = new ArrayList<>();
    fields.add(DataTypes.createStructField("row_id", idType, false));
    fields.add(DataTypes.createStructField("target", DataTypes.IntegerType, false));
    fields.add(DataTypes.createStructField("target_name", DataTypes.StringType, false));
    fields.add(DataTypes.createStructField("prediction", DataTypes.DoubleType, false));
    fields.add(DataTypes.createStructField("predicted_class", DataTypes.IntegerType, true));
    fields.add(DataTypes.createStructField("reference", DataTypes.DoubleType, false));
    fields.add(DataTypes.createStructField("completeness_gap", DataTypes.DoubleType, false));
    for (String segment : segmentColumns) {
      fields.add(DataTypes.createStructField(segment, DataTypes.StringType, true));
    }
    for (String feature : features) {
      fields.add(DataTypes.createStructField(column(feature), DataTypes.DoubleType, false));
    }
    if (withStandardErrors) {
      for (String feature : features) {
        fields.add(DataTypes.createStructField(STANDARD_ERROR_PREFIX + feature, DataTypes.DoubleType, false));
      }
    }
    if (withFit) {
      fields.add(DataTypes.createStructField(FIT_R2, DataTypes.DoubleType, false));
    }
    if (withEffort) {
      fields.add(DataTypes.createStructField(EVALUATIONS, DataTypes.LongType, false));
      fields.add(DataTypes.createStructField(TARGET_MET, DataTypes.BooleanType, false));
    }
    return DataTypes.createStructType(fields);
  }

  /** The attribution column of a feature. */
  public static String column(String feature) {
    return ATTRIBUTION_PREFIX + feature;
  }
}
