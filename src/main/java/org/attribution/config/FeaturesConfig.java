package org.attribution.config;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * Which columns feed the model, in the model's input order.
 *
 * <p>Either {@code columns} (numeric columns, and categorical ones named in {@code categorical}
 * that are one-hot encoded from their vocabulary) or a single {@code vectorColumn} holding an
 * array or ML vector. The encoded vector is laid out in {@code columns} order; a categorical
 * column takes one slot per vocabulary entry, in vocabulary order.
 *
 * @param columns feature columns in model input order
 * @param categorical the subset of {@code columns} that is categorical
 * @param vocabulary inline vocabularies by column; these win over {@code vocabularyFile}
 * @param vocabularyFile a JSON file mapping column name to its list of categories
 * @param vectorColumn a single array or vector column, instead of {@code columns}
 * @param vectorNames names of the vector's elements; {@code <vectorColumn>_<i>} when absent
 * @param groups named groups of features reported (and, for SHAP, switched on and off) as one
 *     player, e.g. {@code open_il: [open_il_6m, open_il_12m, open_il_24m]}
 * @param patches for an image in a vector column: the patch size, each patch one player (needs
 *     {@code model.input_shape})
 */
public record FeaturesConfig(
    List<String> columns,
    List<String> categorical,
    Map<String, List<String>> vocabulary,
    String vocabularyFile,
    String vectorColumn,
    List<String> vectorNames,
    Map<String, List<String>> groups,
    Patches patches)
    implements Serializable {

  /**
   * Image patches as players.
   *
   * @param size the patch's height and width in pixels
   */
  public record Patches(List<Integer> size) implements Serializable {

    public Patches {
      size = size == null ? List.of() : List.copyOf(size);
    }
  }

  public FeaturesConfig {
    columns = columns == null ? List.of() : List.copyOf(columns);
    categorical = categorical == null ? List.of() : List.copyOf(categorical);
    vocabulary = vocabulary == null ? Map.of() : Map.copyOf(vocabulary);
    vectorNames = vectorNames == null ? List.of() : List.copyOf(vectorNames);
    // Insertion order matters for reports; Map.copyOf would lose it.
    groups = groups == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(groups));
  }
}
