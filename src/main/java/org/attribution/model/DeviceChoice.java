package org.attribution.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Collectors;

/**
 * Where the model runs, as configured; {@link #resolve} turns it into a device inside a task.
 *
 * <p>GPU placement follows Spark's resource scheduling: a task uses the GPU Spark assigned to
 * it, so that tasks spread over an executor's GPUs instead of all landing on GPU 0.
 */
public enum DeviceChoice {

  /** Always the CPU. */
  CPU("cpu"),

  /** The GPU assigned to the task; fails if there is none to use. */
  GPU("gpu"),

  /** The GPU assigned to the task when there is one and the engine can use it, else the CPU. */
  AUTO("auto");

  private final String id;

  DeviceChoice(String id) {
    this.id = id;
  }

  /** Stable id used in configuration. */
  public String id() {
    return id;
  }

  /**
   * The choice with the given {@link #id()}.
   *
   * @throws IllegalArgumentException if no choice has that id
   */
  public static DeviceChoice fromId(String id) {
    for (DeviceChoice choice : values()) {
      if (choice.id.equals(id)) {
        return choice;
      }
    }
    throw new IllegalArgumentException(
        "Cannot parse device '" + id + "': expected one of "
            + Arrays.stream(values()).map(DeviceChoice::id).collect(Collectors.joining(", ")));
  }

  /**
   * The device a task runs its model on.
   *
   * <p>{@link #GPU} with no assigned GPU takes GPU 0 when the engine sees one, which is what a
   * single-GPU machine without Spark GPU scheduling wants. {@link #AUTO} never takes a GPU that
   * was not assigned, since unscheduled tasks would all pile onto GPU 0.
   *
   * @param choice the configured choice
   * @param assignedGpu the index of the GPU Spark assigned to this task, if any
   * @throws IllegalStateException if {@link #GPU} is chosen and no usable GPU exists
   */
  public static Device resolve(DeviceChoice choice, OptionalInt assignedGpu) {
    if (choice == CPU) {
      // Asking the engine for its GPU count would start it; a CPU job need not do that here.
      return Device.cpu();
    }
    return resolve(choice, assignedGpu, Engine.getEngine("PyTorch").getGpuCount());
  }

  /**
   * The device the driver checks the model on. On most GPU clusters only the executors have
   * GPUs, so the driver's dry run takes the CPU unless it sees a GPU itself; the executors'
   * check before the explain stage then tries the configured device where it will run.
   */
  public static Device forDriver(DeviceChoice choice) {
    return choice == CPU ? Device.cpu() : forDriver(choice, Engine.getEngine("PyTorch").getGpuCount());
  }

  /** {@link #forDriver(DeviceChoice)} with the engine's GPU count given. */
  static Device forDriver(DeviceChoice choice, int engineGpus) {
    return choice == GPU && engineGpus > 0 ? Device.gpu(0) : Device.cpu();
  }

  /**
   * The CUDA device index of a GPU address Spark assigned, inside this process. Spark's
   * addresses come from the discovery script, which names physical GPUs; where the cluster
   * manager isolates GPUs (YARN and Kubernetes set {@code CUDA_VISIBLE_DEVICES} to the
   * container's devices), CUDA numbers only the visible ones, from 0.
   *
   * @param address the address Spark assigned, e.g. {@code "3"}
   * @param visibleDevices {@code CUDA_VISIBLE_DEVICES}, or null when unset
   * @throws IllegalStateException if the address is neither a visible device nor an index of one
   */
  public static int cudaIndex(String address, String visibleDevices) {
    String wanted = address.trim();
    if (visibleDevices == null || visibleDevices.isBlank()) {
      return Integer.parseInt(wanted);
    }
    List<String> visible = Arrays.stream(visibleDevices.split(",")).map(String::trim).toList();
    int at = visible.indexOf(wanted);
    if (at >= 0) {
      return at;
    }
    // A discovery script that runs inside the container already numbers the visible devices.
    if (wanted.matches("[0-9]{1,9}") && Integer.parseInt(wanted) < visible.size()) {
      return Integer.parseInt(wanted);
    }
    throw new IllegalStateException("Cannot use GPU " + wanted + ": CUDA_VISIBLE_DEVICES=" + visibleDevices
        + " neither lists it nor has that many devices");
  }

  /** {@link #resolve(DeviceChoice, OptionalInt)} with the engine's GPU count given. */
  static Device resolve(DeviceChoice choice, OptionalInt assignedGpu, int engineGpus) {
    return switch (choice) {
      case CPU -> Device.cpu();
      case AUTO -> assignedGpu.isEmpty() || engineGpus == 0
          ? Device.cpu()
          : Device.gpu(checkedGpu(assignedGpu.getAsInt(), engineGpus));
      case GPU -> {
        if (assignedGpu.isPresent()) {
          yield Device.gpu(checkedGpu(assignedGpu.getAsInt(), engineGpus));
        }
        if (engineGpus == 0) {
          throw new IllegalStateException(
              "Cannot use GPU: no GPU was assigned to this task and the PyTorch engine sees none");
        }
        yield Device.gpu(0);
      }
    };
  }

  private static int checkedGpu(int index, int engineGpus) {
    if (index < 0 || index >= engineGpus) {
      throw new IllegalStateException(
          "Cannot use GPU " + index + ": the PyTorch engine sees " + engineGpus + " GPUs"
              + (engineGpus == 0 ? " (is the bundled libtorch a CPU-only build?)" : ""));
    }
    return index;
  }
}
