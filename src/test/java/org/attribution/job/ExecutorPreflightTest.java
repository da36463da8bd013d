package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class ExecutorPreflightTest {

  /** The failure DJL gives for a flavor whose JNI the jar does not carry, cause and all. */
  @Test
  void theWholeCauseChainIsReportedOnOneLine() {
    Exception failure = new IllegalStateException("Cannot copy jni files",
        new IOException("Resource not found in classpath: jnilib/linux-x86_64/cu124/libdjl_torch.so\n\tat x"));
    assertEquals("Cannot copy jni files; caused by: Resource not found in classpath:"
        + " jnilib/linux-x86_64/cu124/libdjl_torch.so", ExecutorPreflight.causeChain(failure));
    assertEquals("NullPointerException", ExecutorPreflight.causeChain(new NullPointerException()));
    assertEquals("engine error", ExecutorPreflight.causeChain(
        new RuntimeException("engine error", new RuntimeException("engine error"))));
  }
}
