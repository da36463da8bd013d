package org.attribution.output;

/**
 * Where each output lives under the job's output directory. Table directory names are part of
 * the contract with dashboards: change them only with a new schema version.
 *
 * @param root the output directory
 */
public record OutputLayout(String root) {

  public OutputLayout {
    root = root.replaceAll("/+$", "");
  }

  /** Global importance, one row per (target, feature). */
  public String globalImportance() {
    return root + "/global_importance";
  }

  /** Per-row attributions, when asked for. */
  public String perRow() {
    return root + "/per_row";
  }

  /** Rows that could not be explained, with all their columns and a reason. */
  public String rejects() {
    return root + "/rejects";
  }

  /** The run manifest. */
  public String manifest() {
    return root + "/manifest.json";
  }
}
