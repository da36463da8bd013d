package org.attribution.job;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.attribution.config.JobConfig;
import org.attribution.config.JobConfigLoader;

/** The sample job file (conf/lending-club-ig.yaml) with test overrides. */
final class SampleJob {

  static final Path JOB_FILE = Path.of("conf/lending-club-ig.yaml");
  static final Path MODEL = Path.of("data-sample/model/lending_club_mlp.pt");
  static final String DATA = "data-sample/lending_club.parquet";
  static final int ROWS = 9857;
  static final int FEATURES = 22;
  static final int ENCODED_WIDTH = 119;

  private SampleJob() {}

  /** The sample job writing to {@code output}, with extra overrides as key, value pairs. */
  static JobConfig config(Path output, String... overrides) {
    Map<String, String> all = new LinkedHashMap<>();
    all.put("output.path", output.toString());
    for (int i = 0; i < overrides.length; i += 2) {
      all.put(overrides[i], overrides[i + 1]);
    }
    return JobConfigLoader.load(JOB_FILE, all);
  }
}
