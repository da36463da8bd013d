package org.attribution.job;

import java.util.OptionalInt;
import java.util.function.Supplier;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.attribution.model.DeviceChoice;
import org.attribution.model.EngineSettings;
import org.attribution.model.ModelCache;
import org.attribution.model.TorchScriptModel;
import org.attribution.model.OutputTransform;

/**
 * Finds the model for a task: on the GPU Spark assigned to the task when there is one, loaded at
 * most once per executor JVM and device.
 */
final class ExecutorModels {

  private ExecutorModels() {}

  /**
   * The model for the current task.
   *
   * @param spec how to load it
   * @param bytes the model file, fetched only when this JVM has not loaded it yet
   * @param task the running task, or null on the driver, which checks the model on the CPU unless
   *     it has a GPU of its own
   */
  static TorchScriptModel get(ModelSpec spec, Supplier<byte[]> bytes, TaskContext task) {
    // Thread counts only take effect before the engine starts, so set them before any load.
    EngineSettings.configureThreads(spec.threadsPerTask(), 1);
    EngineSettings.checkFlavor();
    DeviceChoice choice = DeviceChoice.fromId(spec.device());
    ModelCache.Key key = new ModelCache.Key(
        spec.sha256(),
        task == null ? DeviceChoice.forDriver(choice) : DeviceChoice.resolve(choice, assignedGpu(task)),
        OutputTransform.fromId(spec.output()),
        spec.inputShape());
    return ModelCache.get(key, spec.name(), bytes);
  }

  /**
   * The CUDA index, in this process, of the first GPU Spark's scheduler gave this task, if any.
   */
  static OptionalInt assignedGpu(TaskContext task) {
    ResourceInformation gpu = task.resourcesJMap().get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(DeviceChoice.cudaIndex(gpu.addresses()[0], System.getenv("CUDA_VISIBLE_DEVICES")));
  }
}
