package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/**
 * {@code conf/spark-gpu.conf} is complete: what YARN and Kubernetes need so that GPU executors
 * are not killed for memory, GPU amounts that add up, and a flavor whose JNI library the job jar
 * carries (a flavor it lacks failed every task on a real cluster).
 */
class SparkGpuConfTest {

  static Properties conf() throws Exception {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of("conf/spark-gpu.conf"))) {
      properties.load(reader);
    }
    return properties;
  }

  @Test
  void everySettingAGpuClusterNeedsIsThere() throws Exception {
    Properties conf = conf();
    for (String key : List.of("spark.executor.memory", "spark.executor.memoryOverhead", "spark.driver.memory",
        "spark.executor.resource.gpu.discoveryScript", "spark.executorEnv.PYTORCH_LIBRARY_PATH",
        "spark.executorEnv.PYTORCH_VERSION", "spark.executorEnv.DJL_CACHE_DIR")) {
      assertNotNull(conf.getProperty(key), key);
    }
  }

  @Test
  void theTasksOfAnExecutorShareItsGpusExactly() throws Exception {
    Properties conf = conf();
    double tasks = Double.parseDouble(conf.getProperty("spark.executor.cores"))
        / Double.parseDouble(conf.getProperty("spark.task.cpus"));
    assertEquals(Double.parseDouble(conf.getProperty("spark.executor.resource.gpu.amount")),
        tasks * Double.parseDouble(conf.getProperty("spark.task.resource.gpu.amount")), 1e-12);
  }

  @Test
  void theFlavorIsOneWhoseJniTheJarCarries() throws Exception {
    String flavor = conf().getProperty("spark.executorEnv.PYTORCH_FLAVOR");
    assertTrue(getClass().getClassLoader().getResource("jnilib/linux-x86_64/" + flavor + "/libdjl_torch.so") != null,
        flavor);
    assertNull(EngineSettings.flavorProblem(flavor, "linux-x86_64", null, null,
        r -> getClass().getClassLoader().getResource(r) != null));
  }
}
