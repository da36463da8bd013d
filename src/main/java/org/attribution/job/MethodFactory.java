package org.attribution.job;

import java.io.Serializable;
import org.apache.spark.broadcast.Broadcast;
import org.attribution.config.ExactShapleyConfig;
import org.attribution.config.GradCamConfig;
import org.attribution.config.GradientShapConfig;
import org.attribution.config.IntegratedGradientsConfig;
import org.attribution.config.InputXGradientConfig;
import org.attribution.config.KernelShapConfig;
import org.attribution.config.LimeConfig;
import org.attribution.config.MethodConfig;
import org.attribution.config.OcclusionConfig;
import org.attribution.config.SaliencyConfig;
import org.attribution.config.PermutationImportanceConfig;
import org.attribution.config.SampledToTarget;
import org.attribution.config.SamplingShapleyConfig;
import org.attribution.config.SmoothGradConfig;
import org.attribution.method.AttributionMethod;
import org.attribution.method.Background;
import org.attribution.method.ExactShapley;
import org.attribution.method.FeatureGroups;
import org.attribution.method.GradCam;
import org.attribution.method.GradientShap;
import org.attribution.method.IntegratedGradients;
import org.attribution.method.InputXGradient;
import org.attribution.method.IntegrationRule;
import org.attribution.method.KernelShap;
import org.attribution.method.KernelShapAdjustment;
import org.attribution.method.Lime;
import org.attribution.method.Occlusion;
import org.attribution.method.Saliency;
import org.attribution.method.SamplingShapley;
import org.attribution.method.SmoothGrad;
import org.attribution.method.ShapleyKernelSampler;
import java.util.function.Supplier;
import org.attribution.model.ActivationModel;
import org.attribution.model.ModelFunction;
import org.attribution.model.TorchScriptModel;

/**
 * Everything needed to build the configured method on an executor, once the model is there.
 *
 * @param method the method's settings
 * @param baseline the resolved baseline vector, for the methods with a {@code method.baseline}
 *     vector; empty otherwise
 * @param background the broadcast background, for the methods that use one; null otherwise
 * @param backgroundRows rows in the background (0 without one), for cost estimates
 * @param groups how encoded columns map onto reported features
 * @param maxEvaluationRows the most rows one model call may take, from the memory budget
 * @param noiseScale SmoothGrad's noise standard deviation per encoded column; empty otherwise
 */
record MethodFactory(
    MethodConfig method,
    float[] baseline,
    Broadcast<Background> background,
    int backgroundRows,
    FeatureGroups groups,
    int maxEvaluationRows,
    double[] noiseScale)
    implements Serializable {

  /** The same method with model calls of at most {@code rows} rows. */
  MethodFactory withMaxEvaluationRows(int rows) {
    return new MethodFactory(method, baseline, background, backgroundRows, groups, rows, noiseScale);
  }

  /** Coalitions Kernel SHAP evaluates per row: the configured budget, or its default. */
  int kernelBudget() {
    return ShapleyKernelSampler.budgetFor(((KernelShapConfig) method).budget(), groups.players());
  }

  /**
   * Model evaluations the method spends per explained row, for sizing batches and reports; with a
   * target error, the most a row may spend.
   */
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
    } else if (method instanceof SaliencyConfig || method instanceof InputXGradientConfig
        || method instanceof GradCamConfig) {
      return 1;
    } else if (method instanceof SmoothGradConfig smooth) {
      return smooth.samples() * withMethod(smooth.wrapped()).evaluationsPerRow() + 1;
    } else if (method instanceof OcclusionConfig) {
      return (long) players * Math.max(1, backgroundRows) + 1;
    } else if (method instanceof LimeConfig lime) {
      return lime.samples();
    } else if (method instanceof PermutationImportanceConfig permutation) {
      return (long) permutation.repeats() * players + 1;
    }
    throw new IllegalStateException("no cost model for " + method.id());
  }

  /** Whether the method's model calls compute gradients, which cost more than forward passes. */
  boolean usesGradients() {
    return method instanceof IntegratedGradientsConfig || method instanceof GradientShapConfig
        || method instanceof SaliencyConfig || method instanceof InputXGradientConfig
        || method instanceof SmoothGradConfig || method instanceof GradCamConfig;
  }

  /** This factory with other method settings, for a method that wraps another. */
  private MethodFactory withMethod(MethodConfig other) {
    return new MethodFactory(other, baseline, background, backgroundRows, groups, maxEvaluationRows, noiseScale);
  }

  /** Whether the method fits a surrogate per row and reports the fit's R^2 (LIME). */
  boolean reportsFit() {
    return method instanceof LimeConfig;
  }

  /** The relative error at which each row stops sampling; 0 when every row spends its full budget. */
  double targetError() {
    return method instanceof SampledToTarget sampled && sampled.targetError() != null ? sampled.targetError() : 0;
  }

  /** Whether each row reports what it spent to meet a target error, and whether it did. */
  boolean reportsEffort() {
    return targetError() > 0;
  }

  /** Whether the method estimates the standard error of its own values. */
  boolean reportsStandardErrors() {
    return method instanceof KernelShapConfig || method instanceof GradientShapConfig
        || method instanceof SamplingShapleyConfig;
  }

  /**
   * Checks that the model offers what the method needs of it beyond {@link ModelFunction}, right
   * after it loads and before any data is read: Grad-CAM needs the model split at its last
   * convolution.
   *
   * @throws IllegalArgumentException naming the contract the model does not meet
   */
  static void checkModel(MethodConfig method, TorchScriptModel model) {
    if (method instanceof GradCamConfig) {
      model.activationModel();
    }
  }

  /**
   * Builds a per-row method once, so that settings that do not fit fail on the driver; a global
   * method is checked by its own stage.
   */
  void check(TorchScriptModel model) {
    if (!method.global()) {
      create(model, model::activationModel);
    }
  }

  /**
   * Builds the method.
   *
   * @param activations the model split at its last convolution, asked for only by Grad-CAM
   * @throws IllegalArgumentException when the settings do not fit the model or features (e.g.
   *     exact Shapley over too many players); the driver builds it once to find that early
   */
  AttributionMethod create(ModelFunction model, Supplier<ActivationModel> activations) {
    if (method instanceof GradCamConfig) {
      return new GradCam(activations.get(), model.outputWidth(), groups, maxEvaluationRows);
    }
    return create(model);
  }

  /** Builds a method that needs nothing of the model beyond {@link ModelFunction}. */
  private AttributionMethod create(ModelFunction model) {
    if (method instanceof IntegratedGradientsConfig ig) {
      return new IntegratedGradients(
          model, baseline, IntegrationRule.fromId(ig.rule()), ig.steps(), maxEvaluationRows, groups);
    } else if (method instanceof SaliencyConfig saliency) {
      return new Saliency(model, saliency.absolute(), maxEvaluationRows, groups);
    } else if (method instanceof InputXGradientConfig) {
      return new InputXGradient(model, baseline, maxEvaluationRows, groups);
    } else if (method instanceof SmoothGradConfig smooth) {
      return new SmoothGrad(withMethod(smooth.wrapped()).create(model), model, noiseScale, smooth.samples(),
          SmoothGrad.Aggregate.fromId(smooth.aggregate()), maxEvaluationRows);
    } else if (method instanceof OcclusionConfig && !method.usesBackground()) {
      return new Occlusion(model, Background.uniform(baseline, 1, baseline.length), groups, maxEvaluationRows);
    }
    Background rows = background.value();
    if (method instanceof KernelShapConfig kernel) {
      return new KernelShap(model, rows, groups, kernelBudget(), maxEvaluationRows, targetError(),
          KernelShapAdjustment.fromId(kernel.adjustment(), kernel.adjustmentTrees()));
    } else if (method instanceof GradientShapConfig gradient) {
      return new GradientShap(model, rows, groups, gradient.samples(), gradient.noiseStd(), maxEvaluationRows);
    } else if (method instanceof SamplingShapleyConfig sampling) {
      return new SamplingShapley(model, rows, groups, sampling.permutations(), maxEvaluationRows, targetError());
    } else if (method instanceof ExactShapleyConfig exact) {
      return new ExactShapley(model, rows, groups, maxEvaluationRows, exact.maxPlayers());
    } else if (method instanceof OcclusionConfig) {
      return new Occlusion(model, rows, groups, maxEvaluationRows);
    } else if (method instanceof LimeConfig lime) {
      return new Lime(model, rows, groups, lime.samples(), lime.kernelWidthFor(groups.players()), lime.alpha(),
          maxEvaluationRows);
    }
    throw new IllegalStateException("no implementation for " + method.id());
  }
}
