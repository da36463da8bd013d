package org.attribution.job;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.attribution.config.ExactShapleyConfig;
import org.attribution.config.GradientShapConfig;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.KernelShapConfig;
import org.attribution.config.MethodConfig;
import org.attribution.config.SamplingShapleyConfig;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Background;
import org.attribution.method.ExactShapley;
import org.attribution.method.FeatureGroups;
import org.attribution.method.GradientShap;
import org.attribution.method.IntegratedGradients;
import org.attribution.method.IntegrationRule;
import org.attribution.method.KernelShap;
import org.attribution.method.SamplingShapley;
import org.attribution.method.ShapleyKernelSampler;
import org.attribution.model.ModelFunction;

/**
 * Everything needed to build the configured method on an executor, once the model is there.
 *
 * @param method the method's settings
 * @param baseline the resolved baseline vector, for Integrated Gradients; empty otherwise
 * @param background the broadcast background, for the SHAP methods; null otherwise
 * @param backgroundRows rows in the background (0 without one), for cost estimates
 * @param groups how encoded columns map onto reported features
 * @param maxEvaluationRows the most rows one model call may take, from the memory budget
 */
record MethodFactory(
    MethodConfig method,
    float[] baseline,
    Broadcast<Background> background,
    int backgroundRows,
    FeatureGroups groups,
    int maxEvaluationRows)
    implements Serializable {

  /** The same method with model calls of at most {@code rows} rows. */
  MethodFactory withMaxEvaluationRows(int rows) {
    return new MethodFactory(method, baseline, background, backgroundRows, groups, rows);
  }

  /** Coalitions Kernel SHAP evaluates per row: the configured budget, or its default. */
  int kernelBudget() {
    return ShapleyKernelSampler.budgetFor(((KernelShapConfig) method).budget(), groups.players());
  }

  /** Model evaluations the method spends per explained row, for sizing batches and reports. */
  long evaluationsPerRow() {
    int players = groups.players();
    if (method instanceof IntegratedGradientsConfig ig) {
      return ig.steps() + 1L;
    } else if (method instanceof KernelShapConfig) {
      return (long) kernelBudget() * backgroundRows + 1;
    } else if (method instanceof GradientShapConfig gradient) {
      return gradient.samples() + 1L;
    } else if (method instanceof SamplingShapleyConfig sampling) {
      return (long) sampling.permutations() * Math.max(0, players - 1) * backgroundRows + 1;
    } else if (method instanceof ExactShapleyConfig) {
      return (1L << Math.min(players, 62)) * backgroundRows;
    }
    throw new IllegalStateException("no cost model for " + method.id());
  }

  /** Whether the method's model calls compute gradients, which cost more than forward passes. */
  boolean usesGradients() {
    return method instanceof IntegratedGradientsConfig || method instanceof GradientShapConfig;
  }

  /** Whether the method estimates the standard error of its own values. */
  boolean reportsStandardErrors() {
    return method instanceof KernelShapConfig || method instanceof GradientShapConfig
        || method instanceof SamplingShapleyConfig;
  }

  /**
   * Builds the method.
   *
   * @throws IllegalArgumentException when the settings do not fit the model or features (e.g.
   *     exact Shapley over too many players); the driver builds it once to find that early
   */
  AttributionMethod create(ModelFunction model) {
    if (method instanceof IntegratedGradientsConfig ig) {
      return new IntegratedGradients(
          model, baseline, IntegrationRule.fromId(ig.rule()), ig.steps(), maxEvaluationRows, groups);
    }
    Background rows = background.value();
    if (method instanceof KernelShapConfig) {
      return new KernelShap(model, rows, groups, kernelBudget(), maxEvaluationRows);
    } else if (method instanceof GradientShapConfig gradient) {
      return new GradientShap(model, rows, groups, gradient.samples(), gradient.noiseStd(), maxEvaluationRows);
    } else if (method instanceof SamplingShapleyConfig sampling) {
      return new SamplingShapley(model, rows, groups, sampling.permutations(), maxEvaluationRows);
    } else if (method instanceof ExactShapleyConfig) {
      return new ExactShapley(model, rows, groups, maxEvaluationRows);
    }
    throw new IllegalStateException("no implementation for " + method.id());
  }
}
