package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ProgressTest {

  @Test
  void linesSayRowsRateAndTimeLeft() {
    assertEquals("Explained 500 of 1,000 rows (50%), 100 rows/s, about 5 s left", Progress.line(500, 1000, 5));
    assertEquals("Explained 120,000 of 1,000,000 rows (12%), 2,000 rows/s, about 7 min 20 s left",
        Progress.line(120_000, 1_000_000, 60));
    assertEquals("Explained 1,000 of 100,000,000 rows (0%), 10 rows/s, about 2777 h 45 min left",
        Progress.line(1_000, 100_000_000, 100));
    assertEquals("Explained 0 of 10 rows (0%), 0 rows/s", Progress.line(0, 10, 0));
    assertEquals("Explained 10 of 10 rows (100%), 5 rows/s", Progress.line(10, 10, 2));
  }
}
