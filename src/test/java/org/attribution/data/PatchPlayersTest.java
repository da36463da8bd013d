package org.attribution.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.attribution.config.FeaturesConfig;
import org.attribution.config.InvalidJobException;
import org.junit.jupiter.api.Test;

/** {@code features.patches} on a 4 x 4 image in a vector column: four players of four pixels each. */
class PatchPlayersTest {

  static FeaturesConfig patches(List<Integer> size) {
    return new FeaturesConfig(null, null, null, null, "pixels", null, null, new FeaturesConfig.Patches(size));
  }

  @Test
  void eachPatchIsOnePlayerOwningItsPixels() {
    FeatureEncoder encoder = FeatureEncoder.build(patches(List.of(2, 2)), Map.of(), () -> 16, List.of(1, 4, 4));
    assertEquals(List.of("patch_0_0", "patch_0_1", "patch_1_0", "patch_1_1"), encoder.playerNames());
    assertEquals(16, encoder.width());
    assertArrayEquals(new int[] {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3}, encoder.groups().playerOfColumn());
  }

  @Test
  void patchesNeedTheModelsInputShape() {
    InvalidJobException e = assertThrows(InvalidJobException.class,
        () -> FeatureEncoder.build(patches(List.of(2, 2)), Map.of(), () -> 16, null));
    assertTrue(e.getMessage().contains("model.input_shape"), e.getMessage());
  }
}
