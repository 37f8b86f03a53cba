package io.capstan.gpu.cuda;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.gpu.GpuActivitiesImpl;
import io.capstan.gpu.GpuBackend;
import io.capstan.workflows.gpu.GpuActivities;
import io.capstan.workflows.gpu.GpuDeviceInfo;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend on a real GPU, through the activities as a GPU worker runs them. Where {@link
 * CudaGpus#detect()} finds no usable GPU, every test here is skipped with its reason.
 */
@DisplayName("CUDA devices on this host's GPU")
class CudaGpusTest {
  private static CudaGpus.Detection detection;
  private static CudaGpus gpus;

  @BeforeAll
  static void findGpu() {
    detection = CudaGpus.detect();
    System.out.println("CUDA detection: " + detection.reason());
    gpus = detection.gpus().orElse(null);
  }

  /** Skips each test, visibly and with the reason, where there is no GPU. */
  @BeforeEach
  void requireGpu() {
    Assumptions.assumeTrue(gpus != null, "no usable GPU: " + detection.reason());
  }

  @AfterAll
  static void close() {
    if (gpus != null) {
      gpus.close();
    }
  }

  private static <T> T withActivities(java.util.function.Function<GpuActivities, T> call) {
    TestActivityEnvironment environment = TestActivityEnvironment.newInstance();
    try {
      environment.registerActivitiesImplementations(new GpuActivitiesImpl("this-host", gpus));
      return call.apply(environment.newActivityStub(GpuActivities.class));
    } finally {
      environment.close();
    }
  }

  @Test
  @DisplayName("the inventory names each device, its memory, SMs and versions")
  void inventory() {
    GpuActivities.GpuInventory inventory = withActivities(GpuActivities::inventory);

    assertThat(inventory.devices()).isNotEmpty();
    for (GpuDeviceInfo device : inventory.devices()) {
      System.out.println("device: " + device);
      assertThat(device.uuid()).matches("GPU-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}");
      assertThat(device.name()).isNotBlank();
      assertThat(device.memoryBytes()).isGreaterThan(1L << 30);
      assertThat(device.smCount()).isPositive();
      assertThat(device.computeCapability()).matches("\\d+\\.\\d+");
      assertThat(device.driverVersion()).matches("1[3-9]\\.\\d+");
      assertThat(device.runtimeVersion()).matches("1[3-9]\\.\\d+");
    }
  }

  @Test
  @DisplayName("a 2-second BF16 burn-in of 8192³ passes, every window above 1 TFLOPS")
  void burnIn() {
    GpuActivities.BurnInResult result =
        withActivities(
            activities ->
                activities.burnIn(
                    new GpuActivities.BurnInRequest(
                        List.of(0),
                        "bf16",
                        8192,
                        Duration.ofSeconds(2),
                        Duration.ofMillis(500),
                        1.0)));

    System.out.println("burn-in: " + result);
    assertThat(result.passed()).as(String.valueOf(result)).isTrue();
    assertThat(result.devices().get(0).windowTflops())
        .hasSize(4)
        .allSatisfy(tflops -> assertThat(tflops).isGreaterThan(1.0));
  }

  @Test
  @DisplayName("results equal the known exact sums, window after window")
  void checksumsAreKnownAndStable() {
    for (GpuBackend.Precision precision : GpuBackend.Precision.values()) {
      for (int size : new int[] {99, 1000}) {
        GpuBackend.GemmWindow first = gpus.gemm(0, precision, size, 100_000_000L);
        GpuBackend.GemmWindow second = gpus.gemm(0, precision, size, 100_000_000L);

        assertThat(first.finite()).isTrue();
        assertThat(first.checksum())
            .as("%s %d", precision, size)
            .isEqualTo(GemmPattern.checksum(precision, size))
            .isEqualTo(gpus.expectedChecksum(precision, size).getAsDouble());
        assertThat(second.checksum()).isEqualTo(first.checksum());
      }
    }
  }

  @Test
  @DisplayName("device-to-device and pinned host-to-device copies run above 1 GB/s")
  void bandwidth() {
    GpuActivities.BandwidthResult result =
        withActivities(
            activities ->
                activities.bandwidth(
                    new GpuActivities.BandwidthRequest(List.of(0), 256L << 20, 10)));

    System.out.println("bandwidth: " + result);
    assertThat(result.devices().get(0).deviceToDeviceGBps()).isGreaterThan(1.0);
    assertThat(result.devices().get(0).hostToDeviceGBps()).isGreaterThan(1.0);
  }
}
