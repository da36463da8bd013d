package org.attribution.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Patches of known images, their columns written out by hand. */
class ImagePatchesTest {

  /**
   * A 4 x 4 image's columns, row-major:
   * <pre>
   *  0  1 |  2  3
   *  4  5 |  6  7
   *  -----+------
   *  8  9 | 10 11
   * 12 13 | 14 15
   * </pre>
   */
  @Test
  void twoByTwoPatchesOfAFourByFourImage() {
    Map<String, List<Integer>> patches = ImagePatches.columns(List.of(1, 4, 4), List.of(2, 2));
    assertEquals(List.of("patch_0_0", "patch_0_1", "patch_1_0", "patch_1_1"), List.copyOf(patches.keySet()));
    assertEquals(List.of(0, 1, 4, 5), patches.get("patch_0_0"));
    assertEquals(List.of(2, 3, 6, 7), patches.get("patch_0_1"));
    assertEquals(List.of(8, 9, 12, 13), patches.get("patch_1_0"));
    assertEquals(List.of(10, 11, 14, 15), patches.get("patch_1_1"));
  }

  @Test
  void aPatchHoldsItsPixelsInEveryChannel() {
    // 2 channels of 2 x 4: channel 1 starts at column 8
    Map<String, List<Integer>> patches = ImagePatches.columns(List.of(2, 2, 4), List.of(2, 2));
    assertEquals(List.of(0, 1, 4, 5, 8, 9, 12, 13), patches.get("patch_0_0"));
    assertEquals(List.of(2, 3, 6, 7, 10, 11, 14, 15), patches.get("patch_0_1"));
  }

  @Test
  void edgePatchesAreNarrowerWhereTheSizeDoesNotDivide() {
    Map<String, List<Integer>> patches = ImagePatches.columns(List.of(3, 3), List.of(2, 2));
    assertEquals(List.of(0, 1, 3, 4), patches.get("patch_0_0"));
    assertEquals(List.of(2, 5), patches.get("patch_0_1"));
    assertEquals(List.of(6, 7), patches.get("patch_1_0"));
    assertEquals(List.of(8), patches.get("patch_1_1"));
  }

  @Test
  void refusesRowsThatAreNotImages() {
    assertThrows(IllegalArgumentException.class, () -> ImagePatches.columns(List.of(64), List.of(2, 2)));
    assertThrows(IllegalArgumentException.class, () -> ImagePatches.columns(List.of(8, 8), List.of(2)));
  }
}
