package org.attribution.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Device resolution. This machine has no GPU and the bundled libtorch is CPU-only, so GPU
 * placement is checked through the overload that takes the engine's GPU count.
 */
class DeviceChoiceTest {

  @Test
  void idsRoundTrip() {
    assertEquals("cpu", DeviceChoice.CPU.id());
    assertEquals("gpu", DeviceChoice.GPU.id());
    assertEquals("auto", DeviceChoice.AUTO.id());
    for (DeviceChoice choice : DeviceChoice.values()) {
      assertEquals(choice, DeviceChoice.fromId(choice.id()));
    }
  }

  @Test
  void unknownIdIsRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> DeviceChoice.fromId("cuda"));
    assertEquals("Cannot parse device 'cuda': expected one of cpu, gpu, auto", e.getMessage());
  }

  @Test
  void cpuIsAlwaysTheCpu() {
    assertEquals(Device.cpu(), DeviceChoice.resolve(DeviceChoice.CPU, OptionalInt.of(1)));
  }

  @Test
  void autoFallsBackToTheCpuWithoutAUsableGpu() {
    assertEquals(Device.cpu(), DeviceChoice.resolve(DeviceChoice.AUTO, OptionalInt.empty()));
    // The engine here sees no GPU, so even an assigned one cannot be used.
    assertEquals(Device.cpu(), DeviceChoice.resolve(DeviceChoice.AUTO, OptionalInt.of(0)));
  }

  @Test
  void gpuWithoutAnyGpuFailsClearly() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> DeviceChoice.resolve(DeviceChoice.GPU, OptionalInt.empty()));
    assertEquals("Cannot use GPU: no GPU was assigned to this task and the PyTorch engine sees none",
        e.getMessage());
  }

  @Test
  void assignedGpuIsUsedWhenTheEngineSeesIt() {
    assertEquals(Device.gpu(1), DeviceChoice.resolve(DeviceChoice.GPU, OptionalInt.of(1), 2));
    assertEquals(Device.gpu(1), DeviceChoice.resolve(DeviceChoice.AUTO, OptionalInt.of(1), 2));
  }

  @Test
  void autoNeverTakesAnUnassignedGpu() {
    assertEquals(Device.cpu(), DeviceChoice.resolve(DeviceChoice.AUTO, OptionalInt.empty(), 2));
  }

  @Test
  void gpuWithoutAssignmentTakesGpuZeroWhenTheEngineSeesOne() {
    assertEquals(Device.gpu(0), DeviceChoice.resolve(DeviceChoice.GPU, OptionalInt.empty(), 1));
  }

  @Test
  void assignedGpuTheEngineCannotSeeFailsClearly() {
    IllegalStateException missing = assertThrows(IllegalStateException.class,
        () -> DeviceChoice.resolve(DeviceChoice.GPU, OptionalInt.of(3), 2));
    assertEquals("Cannot use GPU 3: the PyTorch engine sees 2 GPUs", missing.getMessage());
    IllegalStateException cpuOnly = assertThrows(IllegalStateException.class,
        () -> DeviceChoice.resolve(DeviceChoice.GPU, OptionalInt.of(0), 0));
    assertEquals("Cannot use GPU 0: the PyTorch engine sees 0 GPUs (is the bundled libtorch a "
        + "CPU-only build?)", cpuOnly.getMessage());
  }

  @Test
  void theDriverChecksTheModelOnTheCpuUnlessItHasAGpu() {
    assertEquals(Device.cpu(), DeviceChoice.forDriver(DeviceChoice.GPU, 0));
    assertEquals(Device.cpu(), DeviceChoice.forDriver(DeviceChoice.AUTO, 0));
    assertEquals(Device.cpu(), DeviceChoice.forDriver(DeviceChoice.AUTO, 2));
    assertEquals(Device.cpu(), DeviceChoice.forDriver(DeviceChoice.CPU, 2));
    assertEquals(Device.gpu(0), DeviceChoice.forDriver(DeviceChoice.GPU, 1));
    assertEquals(Device.cpu(), DeviceChoice.forDriver(DeviceChoice.GPU));
  }

  @Test
  void sparksGpuAddressIsMappedThroughCudaVisibleDevices() {
    assertEquals(3, DeviceChoice.cudaIndex("3", null));
    assertEquals(3, DeviceChoice.cudaIndex(" 3", ""));
    assertEquals(0, DeviceChoice.cudaIndex("3", "3"));
    assertEquals(1, DeviceChoice.cudaIndex("3", "2,3"));
    assertEquals(1, DeviceChoice.cudaIndex("0", "3, 0"));
    assertEquals(1, DeviceChoice.cudaIndex("GPU-b", "GPU-a,GPU-b"));
    assertEquals(1, DeviceChoice.cudaIndex("1", "5,6"), "an address that already numbers the visible devices");
    IllegalStateException unknown = assertThrows(IllegalStateException.class, () -> DeviceChoice.cudaIndex("7", "5,6"));
    assertEquals("Cannot use GPU 7: CUDA_VISIBLE_DEVICES=5,6 neither lists it nor has that many devices",
        unknown.getMessage());
    assertThrows(IllegalStateException.class, () -> DeviceChoice.cudaIndex("GPU-c", "GPU-a,GPU-b"));
  }
}
