package org.attribution.config;

import java.util.Map;

/**
 * Every default of the job file, in one place. Records substitute these for absent keys, so the
 * manifest's resolved configuration shows what actually ran.
 */
public final class Defaults {

  public static final String JOB_NAME = "attribution";
  public static final long SEED = 42L;

  public static final String INPUT_FORMAT = "parquet";
  /** CSV without a header or typed columns is almost never what an audit means. */
  public static final Map<String, String> CSV_OPTIONS = Map.of("header", "true", "inferSchema", "true");

  public static final String MODEL_OUTPUT = "identity";
  public static final String DEVICE = "auto";

  public static final String TARGET_MODE = "predicted";

  public static final String METHOD = IntegratedGradientsConfig.ID;

  public static final int IG_STEPS = 50;
  public static final String IG_RULE = "gauss_legendre";
  public static final String IG_BASELINE = "zeros";

  public static final boolean PER_ROW = false;

  /**
   * Native memory one task may use for a model call. 256 MiB keeps 8 concurrent tasks well
   * inside a typical 4 GiB executor overhead while still giving batches of many thousand rows.
   */
  public static final int MEMORY_BUDGET_MB = 256;

  private Defaults() {}
}
