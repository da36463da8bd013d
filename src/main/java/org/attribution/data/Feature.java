package org.attribution.data;

import java.io.Serializable;
import java.util.List;

/**
 * One configured feature and its slots in the encoded vector.
 *
 * @param name the reported name (the column name)
 * @param column the input column it is read from
 * @param kind how it is encoded
 * @param vocabulary the categories of a categorical feature, in one-hot order; empty otherwise
 * @param elementNames names of a vector feature's elements; empty otherwise
 * @param offset first slot in the encoded vector
 * @param width number of slots
 */
public record Feature(
    String name, String column, Kind kind, List<String> vocabulary, List<String> elementNames, int offset, int width)
    implements Serializable {

  /** How a feature becomes encoded slots. */
  public enum Kind {
    /** One slot holding the value. */
    NUMERIC,
    /** One slot per category, one-hot. */
    CATEGORICAL,
    /** One slot per element of an array or vector column; each element is its own feature. */
    VECTOR
  }

  public Feature {
    vocabulary = List.copyOf(vocabulary);
    elementNames = List.copyOf(elementNames);
  }
}
