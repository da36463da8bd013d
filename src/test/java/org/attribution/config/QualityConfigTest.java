package org.attribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The quality and report settings: their defaults and the messages for values that cannot work. */
class QualityConfigTest {

  private static JobConfig parse(String extra) {
    return JobConfigLoader.parse(JobConfigLoaderTest.MINIMAL + extra, "job.yaml", Map.of());
  }

  @Test
  void qualityIsOnByDefault() {
    JobConfig config = JobConfigValidator.validate(parse(""));
    assertTrue(config.quality().enabled());
    assertEquals(Defaults.QUALITY_ROWS, config.quality().rows());
    assertEquals(Defaults.QUALITY_MAX_SHARE, config.quality().maxShare());
    assertEquals(Defaults.QUALITY_PERTURBATIONS, config.quality().perturbations());
    assertEquals(Defaults.QUALITY_RADIUS, config.quality().radius());
    assertEquals(Defaults.REPORT_SAMPLE_ROWS, config.report().sampleRows());
  }

  @Test
  void aSmallInputIsMeasuredOnAtMostItsMaximumShare() {
    JobConfig config = parse("");
    assertEquals(Defaults.QUALITY_MAX_SHARE, config.quality().share(100));
    assertEquals(Defaults.QUALITY_ROWS / 1e6, config.quality().share(1_000_000), 1e-15);
    assertEquals(1.0, parse("quality: {rows: 50, max_share: 1}\n").quality().share(40));
  }

  @Test
  void settingsThatCannotWorkAreNamed() {
    String message = assertThrows(InvalidJobException.class, () -> JobConfigValidator.validate(parse(
        "quality: {rows: 0, max_share: 1.5, perturbations: 0, radius: -0.5}\nreport: {sample_rows: -1}\n")))
        .getMessage();
    assertTrue(message.contains("'quality.rows' must be at least 1, got 0 (to measure nothing, set quality.enabled:"
        + " false)"), message);
    assertTrue(message.contains("'quality.max_share' must be above 0 and at most 1, got 1.5"), message);
    assertTrue(message.contains("'quality.perturbations' must be at least 1, got 0"), message);
    assertTrue(message.contains("'quality.radius' must be a finite number, 0 or more, got -0.5"), message);
    assertTrue(message.contains("'report.sample_rows' must be 0 or more, got -1"), message);
  }
}
