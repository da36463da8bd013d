package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.BaseModel;
import ai.djl.Device;
import ai.djl.Model;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every native model the adapter creates is closed, also when loading fails. DJL frees a model
 * nobody closed only when the garbage collector finalizes it, and then warns "Model: NAME was not
 * closed explicitly": a job run with a corrupt model file printed that.
 */
class TorchScriptModelClosingTest {

  // Names of their own, so that models other tests leave to the finalizer cannot interfere.
  private static final String CORRUPT = "closing-test-corrupt";
  private static final String CANARY = "closing-test-canary";

  @Test
  void aModelThatFailsToLoadIsClosed(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve(CORRUPT + ".pt"), "this is not a TorchScript archive");
    List<String> warnings = new CopyOnWriteArrayList<>();
    Logger logger = (Logger) LogManager.getLogger(BaseModel.class);
    AbstractAppender appender =
        new AbstractAppender("closing-test", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            warnings.add(event.getMessage().getFormattedMessage());
          }
        };
    Level level = logger.getLevel();
    boolean additive = logger.isAdditive();
    appender.start();
    logger.addAppender(appender);
    // Until Spark sets up logging (an earlier test may or may not have started it), log4j's
    // default level hides warnings. Not additive: the canary's warning stays out of the build
    // log, where it would read like a leak.
    logger.setLevel(Level.WARN);
    logger.setAdditive(false);
    try {
      assertThrows(IllegalArgumentException.class,
          () -> TorchScriptModel.load(file, Device.cpu(), OutputTransform.IDENTITY, 4));
      // Left unclosed on purpose. Unreachable from here on, like a model the failed load might
      // have left: once its warning is logged, collection and finalization have seen both.
      Model.newInstance(CANARY, Device.cpu(), "PyTorch");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (warnings.stream().noneMatch(w -> w.contains(CANARY)) && System.nanoTime() < deadline) {
        System.gc();
        System.runFinalization();
      }
      System.runFinalization();
    } finally {
      logger.setAdditive(additive);
      logger.setLevel(level);
      logger.removeAppender(appender);
      appender.stop();
    }
    assertTrue(warnings.stream().anyMatch(w -> w.contains(CANARY)),
        "the unclosed canary model was finalized and its warning seen: " + warnings);
    assertEquals(List.of(), warnings.stream().filter(w -> w.contains(CORRUPT)).toList());
  }
}
