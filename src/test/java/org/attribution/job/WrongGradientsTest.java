package org.attribution.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The digits CNN's Integrated Gradients job with libtorch's oneDNN left to its widest instruction
 * set, in a JVM of its own (the tests' JVM caps it, as the scripts do): where that computes the
 * first convolution's input gradients wrongly (AVX-512, e.g. an AMD EPYC here), the job exits 2
 * naming the cause and commits nothing; where it does not, the job runs and its completeness
 * holds. Either way no wrong table is published.
 */
class WrongGradientsTest {

  @Test
  void anUncappedOneDnnNeverPublishesWrongGradients(@TempDir Path out) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "@conf/java17-spark.args", "-Dai.djl.offline=true",
        "-Dlog4j2.configurationFile=conf/log4j2-local.properties",
        "-cp", System.getProperty("java.class.path"), "org.attribution.cli.AttributionCli",
        "--job", "conf/digits-ig.yaml", "--output", out.toString(), "--conf", "spark.ui.enabled=false",
        "--set", "quality.enabled=false"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("ONEDNN_MAX_CPU_ISA");
    Path log = out.resolveSibling(out.getFileName() + ".log");
    builder.redirectOutput(log.toFile());
    Process job = builder.start();
    assertTrue(job.waitFor(5, TimeUnit.MINUTES), "the job did not finish in 5 minutes");
    String printed = Files.readString(log, StandardCharsets.UTF_8);
    if (job.exitValue() == 2) {
      assertTrue(printed.contains("Cannot trust the model's gradients")
          && printed.contains("ONEDNN_MAX_CPU_ISA=AVX2"), printed);
      assertFalse(Files.exists(out.resolve("runs")), "a refused run committed a runs table");
    } else {
      assertEquals(0, job.exitValue(), printed);
      assertFalse(printed.contains("Warning: relative completeness gap"), printed);
    }
  }
}
