package org.attribution.output;

import java.util.List;

/**
 * A seeded sample of explained rows for the summary and dependence plots: each row's feature
 * values next to its attributions.
 *
 * @param features the reported features, in player order
 * @param categories per feature, its categories when it is one categorical feature (values are
 *     then category indexes); empty for a numeric feature
 * @param targets the sampled rows of each target
 */
public record ReportSample(List<String> features, List<List<String>> categories, List<Target> targets) {

  public ReportSample {
    features = List.copyOf(features);
    categories = List.copyOf(categories);
    targets = List.copyOf(targets);
  }

  /**
   * The sampled rows of one target.
   *
   * @param target the explained output
   * @param targetName its label
   * @param values per row, each feature's value: the number for a numeric feature, the category
   *     index for a categorical one, NaN for a group of features
   * @param attributions per row, each feature's attribution
   * @param inputs per row, the model's input as the job encoded it, column by column: what an
   *     image model's example rows are drawn from; null when not kept
   */
  public record Target(int target, String targetName, double[][] values, double[][] attributions,
      float[][] inputs) {}
}
