package org.attribution.method;

import static org.attribution.method.ShapleyFixtures.gaps;
import static org.attribution.method.ShapleyFixtures.oneAtATime;
import static org.attribution.method.ShapleyFixtures.randomRows;
import static org.attribution.method.ShapleyFixtures.seeds;
import static org.attribution.testing.Tolerances.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.stream.Stream;
import org.attribution.model.ModelFunction;
import org.attribution.testing.AnalyticModels;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Occlusion against closed forms: exact on additive models, and the one-sided difference it is on
 * a product.
 */
class OcclusionTest {

  private static final double[] C = {0.5, -1.5, 2, 0.25};

  static Stream<Named<Background>> backgrounds() {
    return ShapleyFixtures.backgrounds(4).stream();
  }

  @ParameterizedTest
  @MethodSource("backgrounds")
  void occlusionOfAnAdditiveModelIsEachTermMinusItsBackgroundMean(Background background) {
    // f = sum c_i x_i^2: occluding i replaces c_i x_i^2 by sum_b w_b c_i b_i^2, whatever the others.
    int rows = 9;
    float[] inputs = randomRows(rows, 4, 5);
    ModelFunction model = AnalyticModels.quadratic(C);
    Attributions a = new Occlusion(model, background, FeatureGroups.identity(4), 5)
        .attribute(inputs, rows, new int[rows], seeds(rows));
    float[] b = background.rows();
    double[] weights = background.weights();
    double[] expected = new double[rows * 4];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < 4; i++) {
        double meanSquare = 0;
        for (int k = 0; k < background.count(); k++) {
          meanSquare += weights[k] * b[k * 4 + i] * b[k * 4 + i];
        }
        expected[r * 4 + i] = C[i] * (inputs[r * 4 + i] * inputs[r * 4 + i] - meanSquare);
      }
    }
    assertClose(expected, a.values(), 1e-5, 1e-5, "c_i (x_i^2 - E[b_i^2])");
    // Additive models are where occlusion adds up to f(x) - base value.
    assertClose(new double[rows], gaps(a), 1e-5, 0, "gaps");
  }

  @Test
  void occlusionOfAProductCountsTheInteractionForEachPlayer() {
    // f = x0 x1 against the baseline b: player 0 gets x0 x1 - b0 x1, player 1 gets x0 x1 - x0 b1.
    float[] x = {2, 3};
    float[] b = {0.5f, -1};
    Attributions a = new Occlusion(AnalyticModels.product(), Background.uniform(b, 1, 2), FeatureGroups.identity(2),
        64).attribute(x, 1, new int[1]);
    assertClose(new double[] {6 - 1.5, 6 + 2}, a.values(), 1e-6, 0, "one-sided differences");
    assertClose(new double[] {-0.5}, a.references(), 1e-6, 0, "f(baseline)");
  }

  @Test
  void aPlayerOfSeveralColumnsIsOccludedAsAWhole() {
    // f = x0 x1 with both columns one player: occluding it gives f(x) - f(b).
    float[] x = {2, 3};
    float[] b = {0.5f, -1};
    Attributions a = new Occlusion(AnalyticModels.product(), Background.uniform(b, 1, 2),
        new FeatureGroups(new int[] {0, 0}, 1), 64).attribute(x, 1, new int[1]);
    assertClose(new double[] {6.5}, a.values(), 1e-6, 0, "f(x) - f(b)");
  }

  @Test
  void aRowsResultDoesNotDependOnItsBatchOrTheCallSize() {
    int rows = 7;
    float[] inputs = randomRows(rows, 5, 8);
    int[] targets = {0, 1, 1, 0, 1, 0, 0};
    ModelFunction model = ShapleyFixtures.tanhNetwork(5, 2, 4);
    Background background = ShapleyFixtures.weightedRows(5);
    FeatureGroups groups = FeatureGroups.identity(5);
    Attributions together =
        new Occlusion(model, background, groups, 1000).attribute(inputs, rows, targets, seeds(rows));
    Occlusion small = new Occlusion(model, background, groups, 3);
    assertArrayEquals(together.values(), oneAtATime(small, inputs, rows, targets, seeds(rows)).values());
    assertArrayEquals(together.references(), small.attribute(inputs, rows, targets, seeds(rows)).references());
  }
}
