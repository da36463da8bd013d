package org.attribution.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.attribution.model.PathPoints;
import org.junit.jupiter.api.Test;

/** The path call benchmark's points are the explain stage's shape, and it runs end to end. */
class PathCallBenchmarkTest {

  @Test
  void pointsFollowTheirRowsTwoHundredToARow() {
    PathPoints paths = PathCallBenchmark.paths(3, 10, 401, 1);
    assertEquals(401, paths.count());
    assertEquals(3 * 3, paths.ends().length, "401 points take three rows");
    assertEquals(10 * 3, paths.starts().length);
    assertEquals(0, paths.endOf()[199]);
    assertEquals(1, paths.endOf()[200]);
    assertEquals(2, paths.endOf()[400]);
    paths.check(3, 2);
    float[] points = PathCallBenchmark.pointsOf(paths, 3);
    int k = 250;
    double start = paths.starts()[paths.startOf()[k] * 3 + 2];
    double end = paths.ends()[paths.endOf()[k] * 3 + 2];
    assertEquals((float) (start + paths.alphas()[k] * (end - start)), points[k * 3 + 2]);
  }

  @Test
  void runsFromTheCommandLine() throws Exception {
    PathCallBenchmark.main(new String[] {"--path-calls", "--points", "64", "--rounds", "1"});
  }
}
