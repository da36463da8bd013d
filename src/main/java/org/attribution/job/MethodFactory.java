package org.attribution.job;

import java.io.Serializable;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.MethodConfig;
import org.attribution.method.AttributionMethod;
import org.attribution.method.FeatureGroups;
import org.attribution.method.IntegratedGradients;
import org.attribution.method.IntegrationRule;
import org.attribution.model.ModelFunction;

/**
 * Everything needed to build the configured method on an executor, once the model is there.
 *
 * @param method the method's settings
 * @param baseline the resolved baseline vector, for path methods
 * @param groups how encoded columns map onto reported features
 * @param maxEvaluationRows the most rows one model call may take, from the memory budget
 */
record MethodFactory(MethodConfig method, float[] baseline, FeatureGroups groups, int maxEvaluationRows)
    implements Serializable {

  /** Model evaluations the method spends per explained row, for sizing batches. */
  int evaluationsPerRow() {
    if (method instanceof IntegratedGradientsConfig ig) {
      return ig.steps() + 1;
    }
    throw new IllegalStateException("no cost model for " + method.id());
  }

  AttributionMethod create(ModelFunction model) {
    if (method instanceof IntegratedGradientsConfig ig) {
      return new IntegratedGradients(
          model, baseline, IntegrationRule.fromId(ig.rule()), ig.steps(), maxEvaluationRows, groups);
    }
    throw new IllegalStateException("no implementation for " + method.id());
  }
}
