package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * What can be checked inside a shared test JVM: validation, and that the first value set stays.
 * That the engine applies the properties at start was checked in a fresh JVM
 * ({@code configureThreads(1, 1)} then {@code JniUtils.getNumThreads()} gave 1, default 2).
 */
class EngineSettingsTest {

  @Test
  void firstValuesWinAndOfflineIsOn() {
    EngineSettings.configureThreads(1, 1);
    String intra = System.getProperty(EngineSettings.INTRA_OP_THREADS);
    String inter = System.getProperty(EngineSettings.INTER_OP_THREADS);
    EngineSettings.configureThreads(7, 7);
    assertEquals(intra, System.getProperty(EngineSettings.INTRA_OP_THREADS));
    assertEquals(inter, System.getProperty(EngineSettings.INTER_OP_THREADS));
    assertEquals("true", System.getProperty(EngineSettings.OFFLINE));
  }

  @Test
  void countsBelowOneAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> EngineSettings.configureThreads(0, 1));
    assertEquals("Cannot configure engine threads: counts must be at least 1, got intra-op 0 and "
        + "inter-op 1", e.getMessage());
  }
}
