package org.attribution.job;

import org.attribution.config.InvalidJobException;
import org.attribution.config.TargetConfig;
import org.attribution.model.TorchScriptModel;

/**
 * Loads the model on the driver and runs one row through it before any Spark stage, so that a
 * corrupt file or a model that does not fit the features fails in seconds with a clear message
 * rather than in every task of a long job.
 */
final class DryRun {

  private DryRun() {}

  /**
   * Checks the model against the features and the target settings.
   *
   * @return the model as loaded on the driver
   * @throws InvalidJobException naming the mismatch
   */
  static TorchScriptModel check(ModelSpec spec, ModelArtifact artifact, TargetConfig target) {
    TorchScriptModel model;
    try {
      model = ExecutorModels.get(spec, artifact::bytes, null);
    } catch (InvalidJobException e) {
      throw e;
    } catch (RuntimeException e) {
      // The adapter's own messages already read "Cannot load model <name>: <reason>"; the
      // engine's (a JNI library that cannot be found, say) need their causes to be useful.
      String message = firstLine(e);
      throw new InvalidJobException(message.startsWith("Cannot load model ") ? message
          : "Cannot load model " + artifact.path() + ": " + ExecutorPreflight.causeChain(e), e);
    }
    float[] outputs;
    try {
      outputs = model.forward(new float[spec.inputWidth()], 1);
    } catch (RuntimeException e) {
      throw new InvalidJobException("Cannot use model " + artifact.path() + ": it rejects an input of width "
          + spec.inputWidth() + ", the width the configured features encode to (" + firstLine(e) + ")", e);
    }
    int width = outputs.length;
    if (width == 0) {
      throw new InvalidJobException("Cannot use model " + artifact.path() + ": it returns no outputs");
    }
    if ("class".equals(target.mode()) && target.classIndex() >= width) {
      throw new InvalidJobException("Cannot explain target.class_index " + target.classIndex() + ": the model has "
          + width + " output" + (width == 1 ? "" : "s") + " (valid indices 0.." + (width - 1) + ")");
    }
    if (!target.classNames().isEmpty() && target.classNames().size() != width) {
      throw new InvalidJobException("Cannot use target.class_names: it names " + target.classNames().size()
          + " classes, but the model has " + width + " outputs");
    }
    return model;
  }

  private static String firstLine(RuntimeException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
