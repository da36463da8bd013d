package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.apache.spark.sql.SparkSession;
import org.attribution.testing.SparkTestSession;
import org.junit.jupiter.api.Test;

class SqlSettingsTest {

  private static final String KEY = "spark.sql.codegen.hugeMethodLimit";

  @Test
  void appliesDefaultsForTheRunOnlyAndRestoresTheSession() {
    SparkSession spark = SparkTestSession.get().newSession();
    try (SqlSettings ignored = SqlSettings.apply(spark)) {
      assertEquals("8000", spark.conf().get(KEY));
    }
    assertFalse(spark.conf().contains(KEY), "the run's default must not outlive the run");
  }

  @Test
  void keepsWhatTheUserSet() {
    SparkSession spark = SparkTestSession.get().newSession();
    spark.conf().set(KEY, "20000");
    try (SqlSettings ignored = SqlSettings.apply(spark)) {
      assertEquals("20000", spark.conf().get(KEY));
    }
    assertEquals("20000", spark.conf().get(KEY));
  }
}
