package org.attribution.data;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.attribution.config.InvalidJobException;

/**
 * The id that identifies a row in every output: the configured id column, or else a hash of the
 * whole row. A hash, unlike {@code monotonically_increasing_id}, does not change when the input is
 * partitioned differently or read again, so per-row results stay joinable across runs; identical
 * rows share an id, and they also share their attributions.
 */
public final class RowIds {

  private RowIds() {}

  /** The id expression for {@code schema}. */
  public static Column column(String idColumn, StructType schema) {
    if (idColumn == null) {
      return xxhash64(Arrays.stream(schema.fieldNames()).map(n -> col(FeatureEncoder.quoted(n))).toArray(Column[]::new));
    }
    requireColumn(idColumn, schema);
    return col(FeatureEncoder.quoted(idColumn));
  }

  /** The type of the id column for {@code schema}. */
  public static DataType type(String idColumn, StructType schema) {
    if (idColumn == null) {
      return DataTypes.LongType;
    }
    requireColumn(idColumn, schema);
    return schema.apply(idColumn).dataType();
  }

  private static void requireColumn(String idColumn, StructType schema) {
    if (!Arrays.asList(schema.fieldNames()).contains(idColumn)) {
      throw new InvalidJobException("Cannot use id column '" + idColumn + "': no such column in the input (columns: "
          + String.join(", ", schema.fieldNames()) + ")");
    }
  }
}
