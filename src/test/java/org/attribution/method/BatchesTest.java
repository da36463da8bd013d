package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BatchesTest {

  @Test
  void callsAreAsFewAsTheLimitAllowsAndOfNearlyEqualSize() {
    // Kernel SHAP's default on the sample: 2,072 coalitions x 10 background rows per row.
    assertEquals(987, Batches.evenCallSize(20_720, 1024), "21 calls of 987 or 986, not 20 x 1,024 + 240");
    // Integrated Gradients: 1,285 rows x 50 steps per batch.
    assertEquals(1020, Batches.evenCallSize(64_250, 1024));
    assertEquals(1024, Batches.evenCallSize(2048, 1024));
    assertEquals(683, Batches.evenCallSize(2049, 1024));
    assertEquals(100, Batches.evenCallSize(100, 1024));
    assertEquals(1, Batches.evenCallSize(0, 1024));
    assertEquals(7, Batches.evenCallSize(7, 7));
  }
}
