package org.attribution.model;

import java.io.Serializable;
import java.util.List;

/**
 * The shape of one row as the model takes it, without the batch dimension: {@code [width]} for a
 * flat row, {@code [channels, height, width]} for an image. Rows always travel as flat vectors;
 * the model sees each reshaped (row-major, as {@code torch.reshape} does) to this shape, with the
 * batch dimension first.
 *
 * @param dimensions the sizes of one row's dimensions, each at least 1
 */
public record InputShape(List<Integer> dimensions) implements Serializable {

  public InputShape {
    dimensions = List.copyOf(dimensions);
    if (dimensions.isEmpty() || dimensions.stream().anyMatch(d -> d == null || d < 1)) {
      throw new IllegalArgumentException("An input shape needs one or more dimensions of at least 1, got "
          + dimensions);
    }
  }

  /** A flat row of {@code width} values. */
  public static InputShape flat(int width) {
    return new InputShape(List.of(width));
  }

  /** Values in one row: the product of the dimensions. */
  public int width() {
    long width = 1;
    for (int d : dimensions) {
      width *= d;
    }
    return Math.toIntExact(width);
  }

  /** The shape of a batch of {@code rows} rows, batch dimension first. */
  public long[] ofBatch(long rows) {
    long[] shape = new long[dimensions.size() + 1];
    shape[0] = rows;
    for (int d = 0; d < dimensions.size(); d++) {
      shape[d + 1] = dimensions.get(d);
    }
    return shape;
  }

  @Override
  public String toString() {
    return dimensions.toString();
  }
}
