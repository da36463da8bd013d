package org.attribution.config;

import java.io.Serializable;

/**
 * Where results go.
 *
 * @param path the output directory (any Hadoop file system URI)
 * @param perRow also write every row's attributions
 */
public record OutputConfig(String path, Boolean perRow) implements Serializable {

  public OutputConfig {
    perRow = perRow == null ? Defaults.PER_ROW : perRow;
  }
}
