package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class OutputTransformTest {

  @Test
  void idsAreStable() {
    assertEquals("identity", OutputTransform.IDENTITY.id());
    assertEquals("softmax", OutputTransform.SOFTMAX.id());
    assertEquals("sigmoid", OutputTransform.SIGMOID.id());
  }

  @Test
  void fromIdInvertsId() {
    for (OutputTransform transform : OutputTransform.values()) {
      assertEquals(transform, OutputTransform.fromId(transform.id()));
    }
  }

  @Test
  void unknownIdIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OutputTransform.fromId("logits"));
    assertEquals("Cannot parse output transform 'logits': expected one of identity, softmax, sigmoid",
        e.getMessage());
  }
}
