package org.attribution.method;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Maps the model's input columns onto players: the units attributions are reported for.
 *
 * <p>A numeric feature is one column and one player; a categorical feature's one-hot columns
 * form one player, so its attribution is the sum over its columns. Gradient methods compute
 * per column and then {@link #sumByPlayer}; coalition methods switch whole players on and off.
 *
 * @param playerOfColumn for each input column, the index of its player
 * @param players the number of players; every player owns at least one column
 */
public record FeatureGroups(int[] playerOfColumn, int players) implements Serializable {

  public FeatureGroups {
    playerOfColumn = playerOfColumn.clone();
    boolean[] seen = new boolean[players];
    for (int column = 0; column < playerOfColumn.length; column++) {
      int player = playerOfColumn[column];
      if (player < 0 || player >= players) {
        throw new IllegalArgumentException(
            "Cannot group columns: column " + column + " maps to player " + player
                + " outside [0, " + players + ")");
      }
      seen[player] = true;
    }
    for (int player = 0; player < players; player++) {
      if (!seen[player]) {
        throw new IllegalArgumentException("Cannot group columns: player " + player + " owns no column");
      }
    }
  }

  /** One player per column. */
  public static FeatureGroups identity(int columns) {
    int[] map = new int[columns];
    Arrays.setAll(map, i -> i);
    return new FeatureGroups(map, columns);
  }

  /** Number of input columns. */
  public int columns() {
    return playerOfColumn.length;
  }

  @Override
  public int[] playerOfColumn() {
    return playerOfColumn.clone();
  }

  /**
   * Sums per-column values of {@code rows} rows into per-player values.
   *
   * @param perColumn {@code rows x columns()} values, row-major
   * @return {@code rows x players()} values, row-major
   */
  public double[] sumByPlayer(double[] perColumn, int rows) {
    int columns = playerOfColumn.length;
    double[] perPlayer = new double[rows * players];
    for (int r = 0; r < rows; r++) {
      int in = r * columns;
      int out = r * players;
      for (int c = 0; c < columns; c++) {
        perPlayer[out + playerOfColumn[c]] += perColumn[in + c];
      }
    }
    return perPlayer;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FeatureGroups that
        && players == that.players
        && Arrays.equals(playerOfColumn, that.playerOfColumn);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(playerOfColumn) + players;
  }

  @Override
  public String toString() {
    return "FeatureGroups" + Arrays.toString(playerOfColumn) + " players=" + players;
  }
}
