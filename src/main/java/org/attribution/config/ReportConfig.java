package org.attribution.config;

import java.io.Serializable;

/**
 * What the HTML report shows besides the tables.
 *
 * @param sampleRows about how many explained rows the summary and dependence plots draw: a
 *     seeded sample kept by the executors, never every row; 0 for no such plots
 */
public record ReportConfig(Integer sampleRows) implements Serializable {

  public ReportConfig {
    sampleRows = sampleRows == null ? Defaults.REPORT_SAMPLE_ROWS : sampleRows;
  }
}
