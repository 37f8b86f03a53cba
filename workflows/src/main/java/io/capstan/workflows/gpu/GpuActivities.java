package io.capstan.workflows.gpu;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.time.Duration;
import java.util.List;

/**
 * Device work of one GPU host, served on that host's pinned queue ({@code TaskQueues.gpu(HOST)}),
 * so the work runs on the devices a lease chose: inventory, burn-in and copy bandwidth. Implemented
 * over CUDA where the host has a GPU, and over simulated devices everywhere else.
 */
@ActivityInterface
public interface GpuActivities {
  /** A device vanished mid-task (fell off the bus, Xid 79): the retry must go elsewhere. */
  String DEVICE_LOST = "GpuDeviceLost";

  /** A request naming a device the host does not have, or a bad size: not retried. */
  String INVALID_REQUEST = "GpuInvalidRequest";

  @ActivityMethod(name = "GpuInventory")
  GpuInventory inventory();

  /**
   * Runs GEMMs on each device for {@code duration}, in windows, heartbeating each window's TFLOPS,
   * and fails a device whose window results differ from its first, hold a NaN, or fall below {@code
   * minTflops} or 0.95 × its first window's rate.
   */
  @ActivityMethod(name = "GpuBurnIn")
  BurnInResult burnIn(BurnInRequest request);

  /** Device-to-device and host-to-device copy bandwidth per device. */
  @ActivityMethod(name = "GpuBandwidth")
  BandwidthResult bandwidth(BandwidthRequest request);

  record GpuInventory(String host, List<GpuDeviceInfo> devices) {}

  /**
   * @param devices device indices; empty for all
   * @param precision {@code bf16} or {@code fp32}
   * @param minTflops the floor a window may not fall below; null for none
   */
  record BurnInRequest(
      List<Integer> devices,
      String precision,
      int matrixSize,
      Duration duration,
      Duration window,
      Double minTflops) {}

  /**
   * @param failure why the device failed, naming the window; null when it passed
   */
  record DeviceBurnIn(int index, boolean passed, List<Double> windowTflops, String failure) {}

  record BurnInResult(String host, List<DeviceBurnIn> devices) {
    public boolean passed() {
      return devices.stream().allMatch(DeviceBurnIn::passed);
    }
  }

  record BandwidthRequest(List<Integer> devices, long bytes, int repeats) {}

  record DeviceBandwidth(int index, double deviceToDeviceGBps, double hostToDeviceGBps) {}

  record BandwidthResult(String host, List<DeviceBandwidth> devices) {}
}
