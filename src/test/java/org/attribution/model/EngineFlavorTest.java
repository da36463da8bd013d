package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JNI flavor check that runs before DJL's engine starts, with a fake class path. */
class EngineFlavorTest {

  @TempDir Path dir;

  /** What the job jar carries: DJL's JNI for cpu and cu128. */
  static final Predicate<String> JOB_JAR = Set.of("jnilib/linux-x86_64/cpu/libdjl_torch.so",
      "jnilib/linux-x86_64/cu128/libdjl_torch.so")::contains;

  @Test
  void aFlavorTheJarCarriesOrNoFlavorPasses() {
    assertNull(EngineSettings.flavorProblem(null, "linux-x86_64", null, dir, JOB_JAR));
    assertNull(EngineSettings.flavorProblem("cu128", "linux-x86_64", null, dir, JOB_JAR));
    assertNull(EngineSettings.flavorProblem("cpu", "linux-x86_64", null, dir, JOB_JAR));
  }

  @Test
  void aFlavorTheJarLacksIsRefusedWithTheFlavorsItCarries() {
    assertEquals("Cannot start the PyTorch engine with PYTORCH_FLAVOR=cu124: the job jar carries DJL's JNI library for"
        + " cpu, cu128 only, and PYTORCH_LIBRARY_PATH is not set; set PYTORCH_FLAVOR to one the jar carries, with a"
        + " libtorch of that build in PYTORCH_LIBRARY_PATH, or put a libdjl_torch.so built for cu124 and DJL "
        + EngineSettings.DJL_VERSION + " into PYTORCH_LIBRARY_PATH",
        EngineSettings.flavorProblem("cu124", "linux-x86_64", null, dir, JOB_JAR));
    Path libtorch = dir.resolve("libtorch");
    assertEquals("Cannot start the PyTorch engine with PYTORCH_FLAVOR=cu124: the job jar carries DJL's JNI library for"
        + " cpu, cu128 only, and PYTORCH_LIBRARY_PATH (" + libtorch + ") holds no libdjl_torch.so; set"
        + " PYTORCH_FLAVOR to one the jar carries, with a libtorch of that build in PYTORCH_LIBRARY_PATH, or put a"
        + " libdjl_torch.so built for cu124 and DJL " + EngineSettings.DJL_VERSION + " into PYTORCH_LIBRARY_PATH",
        EngineSettings.flavorProblem("cu124", "linux-x86_64", libtorch, dir, JOB_JAR));
  }

  @Test
  void aJniBroughtInTheLibraryPathOrTheCacheIsFound() throws Exception {
    Path libtorch = Files.createDirectories(dir.resolve("libtorch/lib"));
    Files.writeString(libtorch.resolve("libdjl_torch.so"), "");
    assertNull(EngineSettings.flavorProblem("cu124", "linux-x86_64", libtorch, dir, JOB_JAR));
    Path cache = Files.createDirectories(dir.resolve("cache/2.7.1-cu124-linux-x86_64"));
    Files.writeString(cache.resolve(EngineSettings.DJL_VERSION + "-libdjl_torch.so"), "");
    assertNull(EngineSettings.flavorProblem("cu124", "linux-x86_64", null, dir.resolve("cache"), JOB_JAR));
  }
}
