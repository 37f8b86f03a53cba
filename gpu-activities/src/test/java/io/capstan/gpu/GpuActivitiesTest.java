package io.capstan.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.workflows.gpu.GpuActivities;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GPU activities over simulated devices")
class GpuActivitiesTest {
  private final TestActivityEnvironment environment = TestActivityEnvironment.newInstance();

  @AfterEach
  void close() {
    environment.close();
  }

  private GpuActivities activities(SimulatedGpus.Device... devices) {
    environment.registerActivitiesImplementations(
        new GpuActivitiesImpl(
            "gpu-host-1", new SimulatedGpus("gpu-host-1", List.of(devices), nanos -> {})));
    return environment.newActivityStub(GpuActivities.class);
  }

  static final SimulatedGpus.Device H200 =
      SimulatedGpus.Device.healthy("Simulated H200", 141L << 30, 989.0);

  static GpuActivities.BurnInRequest burnIn(Double minTflops) {
    return new GpuActivities.BurnInRequest(
        List.of(), "bf16", 8192, Duration.ofSeconds(60), Duration.ofSeconds(10), minTflops);
  }

  @Test
  @DisplayName("the inventory lists every device with its identity and health")
  void inventory() {
    GpuActivities gpus = activities(H200, H200);

    GpuActivities.GpuInventory inventory = gpus.inventory();

    assertThat(inventory.host()).isEqualTo("gpu-host-1");
    assertThat(inventory.devices()).hasSize(2);
    assertThat(inventory.devices().get(1).index()).isEqualTo(1);
    assertThat(inventory.devices().get(0).uuid())
        .startsWith("GPU-")
        .isNotEqualTo(inventory.devices().get(1).uuid());
    assertThat(inventory.devices().get(0).memoryBytes()).isEqualTo(141L << 30);
  }

  @Test
  @DisplayName(
      "healthy devices pass a burn-in, window by window; a slow and a wrong one fail, naming the window")
  void burnIn() {
    GpuActivities gpus =
        activities(
            H200,
            H200.failing(SimulatedGpus.Fault.SLOW, 3),
            H200.failing(SimulatedGpus.Fault.WRONG_RESULTS, 2));

    GpuActivities.BurnInResult result = gpus.burnIn(burnIn(500.0));

    assertThat(result.passed()).isFalse();
    assertThat(result.devices().get(0).passed()).isTrue();
    assertThat(result.devices().get(0).windowTflops())
        .hasSize(6)
        .allSatisfy(t -> assertThat(t).isEqualTo(989.0, org.assertj.core.data.Offset.offset(0.01)));
    assertThat(result.devices().get(1).failure())
        .isEqualTo("window 3: 791.2 TFLOPS is below 0.95 × the first window's 989.0");
    assertThat(result.devices().get(2).failure()).startsWith("window 2: the result differs");
  }

  @Test
  @DisplayName("a device lost mid-burn-in fails the activity as DeviceLost, not retried")
  void deviceLost() {
    GpuActivities gpus = activities(H200, H200.failing(SimulatedGpus.Fault.LOST, 2));

    assertThatThrownBy(() -> gpus.burnIn(burnIn(null)))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(GpuActivities.DEVICE_LOST);
              assertThat(failure.isNonRetryable()).isTrue();
              assertThat(failure.getOriginalMessage())
                  .isEqualTo("device 1 (Simulated H200) is lost: it fell off the bus (simulated)");
            });
  }

  @Test
  @DisplayName(
      "asking for a device the host does not have, or a precision it does not know, is refused")
  void badRequests() {
    GpuActivities gpus = activities(H200);

    assertThatThrownBy(
            () ->
                gpus.burnIn(
                    new GpuActivities.BurnInRequest(
                        List.of(3),
                        "bf16",
                        1024,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        null)))
        .cause()
        .hasMessageContaining("device 3 does not exist: host gpu-host-1 has 1");
    assertThatThrownBy(
            () ->
                gpus.burnIn(
                    new GpuActivities.BurnInRequest(
                        List.of(),
                        "fp8",
                        1024,
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(1),
                        null)))
        .cause()
        .hasMessageContaining("'fp8' is not a burn-in precision: use bf16 or fp32");
  }

  @Test
  @DisplayName("bandwidth reports device-to-device and host-to-device GB/s per device")
  void bandwidth() {
    GpuActivities gpus = activities(H200, H200);

    GpuActivities.BandwidthResult result =
        gpus.bandwidth(new GpuActivities.BandwidthRequest(List.of(1), 1L << 30, 10));

    assertThat(result.devices())
        .singleElement()
        .satisfies(
            d -> {
              assertThat(d.index()).isEqualTo(1);
              assertThat(d.deviceToDeviceGBps()).isPositive();
              assertThat(d.hostToDeviceGBps()).isPositive();
            });
  }
}
