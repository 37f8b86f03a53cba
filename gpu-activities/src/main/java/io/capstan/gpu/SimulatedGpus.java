package io.capstan.gpu;

import io.capstan.workflows.gpu.GpuDeviceInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.function.LongConsumer;

/**
 * Devices that exist only in memory, behind the same interface as CUDA's: for tests, demos and
 * {@code ./capstan up} on machines without a GPU. Each device has a name, memory and GEMM rate, and
 * may be told to fail as real ones do: run slow from some window on, compute wrong results, or be
 * lost mid-task. Time passes through a pacer: real sleeps for demos, none for tests.
 */
public final class SimulatedGpus implements GpuBackend {
  /** How a simulated device misbehaves. */
  public enum Fault {
    NONE,
    /** From the fault window on, GEMMs run at 80% of the device's rate (thermal throttling). */
    SLOW,
    /** From the fault window on, results differ slightly (a bad SM, corrupt memory). */
    WRONG_RESULTS,
    /** From the fault window on, every call fails: the device fell off the bus. */
    LOST,
    /** Reports uncorrectable (double-bit) ECC errors from the start; computes correctly. */
    ECC
  }

  /**
   * One simulated device.
   *
   * @param bf16Tflops its dense BF16 GEMM rate; FP32 runs at a sixth of it (as on H100-class cards)
   * @param faultWindow the 1-based window (counted per device across calls) from which {@code
   *     fault} shows
   */
  public record Device(
      String name, long memoryBytes, double bf16Tflops, Fault fault, int faultWindow) {
    public static Device healthy(String name, long memoryBytes, double bf16Tflops) {
      return new Device(name, memoryBytes, bf16Tflops, Fault.NONE, 0);
    }

    public Device failing(Fault newFault, int fromWindow) {
      return new Device(name, memoryBytes, bf16Tflops, newFault, fromWindow);
    }
  }

  private final String host;
  private final List<Device> devices;
  private final java.util.concurrent.atomic.AtomicIntegerArray windows;
  private final LongConsumer pacer;

  /**
   * @param pacer passes {@code nanos} of simulated work: {@link #sleeping()} for demos, a no-op for
   *     tests
   */
  public SimulatedGpus(String host, List<Device> devices, LongConsumer pacer) {
    this.host = host;
    this.devices = List.copyOf(devices);
    this.windows = new java.util.concurrent.atomic.AtomicIntegerArray(devices.size());
    this.pacer = pacer;
  }

  /** {@code count} healthy H200-like devices. */
  public static SimulatedGpus of(String host, int count, LongConsumer pacer) {
    List<Device> devices = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      devices.add(Device.healthy("Simulated H200", 141L << 30, 989.0));
    }
    return new SimulatedGpus(host, devices, pacer);
  }

  /** A pacer that sleeps, so simulated work takes the time real work would. */
  public static LongConsumer sleeping() {
    return nanos -> {
      try {
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    };
  }

  @Override
  public List<GpuDeviceInfo> devices() {
    List<GpuDeviceInfo> infos = new ArrayList<>();
    for (int i = 0; i < devices.size(); i++) {
      Device device = devices.get(i);
      infos.add(
          new GpuDeviceInfo(
              i,
              "GPU-"
                  + UUID.nameUUIDFromBytes(
                      (host + "/" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
              device.name(),
              device.memoryBytes(),
              132,
              "9.0",
              "simulated",
              "simulated",
              35.0,
              70.0,
              0.0,
              0L,
              device.fault() == Fault.WRONG_RESULTS || device.fault() == Fault.ECC ? 1L : 0L,
              0L));
    }
    return infos;
  }

  @Override
  public GemmWindow gemm(int index, Precision precision, int size, long nanos) {
    Device device = device(index);
    int window = windows.incrementAndGet(index);
    boolean faulty =
        device.fault() != Fault.NONE
            && device.fault() != Fault.ECC
            && window >= device.faultWindow();
    if (faulty && device.fault() == Fault.LOST) {
      throw new GpuDeviceLostException(
          index,
          String.format(
              Locale.ROOT,
              "device %d (%s) is lost: it fell off the bus (simulated)",
              index,
              device.name()));
    }
    pacer.accept(nanos);
    double tflops = precision == Precision.BF16 ? device.bf16Tflops() : device.bf16Tflops() / 6;
    if (faulty && device.fault() == Fault.SLOW) {
      tflops *= 0.8;
    }
    double flops = tflops * 1e12 * (nanos / 1e9);
    // The sum of A·B for the fixed inputs every window uses: the same on a healthy device.
    double checksum = expectedChecksum(precision, size).getAsDouble();
    if (faulty && device.fault() == Fault.WRONG_RESULTS) {
      checksum *= 1.01;
    }
    return new GemmWindow(flops, nanos, checksum, true);
  }

  @Override
  public java.util.OptionalDouble expectedChecksum(Precision precision, int size) {
    return java.util.OptionalDouble.of((double) size * size * 0.25);
  }

  @Override
  public double deviceToDevice(int index, long bytes, int repeats) {
    device(index);
    pacer.accept(Math.max(1, (long) (bytes * (double) repeats / 4.0e12 * 1e9)));
    return 4000.0;
  }

  @Override
  public double hostToDevice(int index, long bytes, int repeats) {
    device(index);
    pacer.accept(Math.max(1, (long) (bytes * (double) repeats / 55e9 * 1e9)));
    return 55.0;
  }

  private Device device(int index) {
    if (index < 0 || index >= devices.size()) {
      throw new IllegalArgumentException(
          "device " + index + " does not exist: host " + host + " has " + devices.size());
    }
    return devices.get(index);
  }
}
