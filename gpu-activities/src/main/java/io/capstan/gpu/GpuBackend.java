package io.capstan.gpu;

import io.capstan.workflows.gpu.GpuDeviceInfo;
import java.util.List;

/**
 * The devices of one host, as the activities use them: CUDA through JavaCPP where there is a GPU,
 * {@link SimulatedGpus} everywhere else. Calls on one device come from one thread at a time.
 */
public interface GpuBackend {
  /** The host's devices, by index. */
  List<GpuDeviceInfo> devices();

  /**
   * Runs square GEMMs of {@code size} in {@code precision} on {@code device} for about {@code
   * nanos}, and answers what they did.
   *
   * @throws GpuDeviceLostException when the device is gone
   */
  GemmWindow gemm(int device, Precision precision, int size, long nanos);

  /**
   * The checksum a healthy device's {@link #gemm} gives for {@code size} in {@code precision},
   * where the backend can know it (its inputs are fixed and their product known); empty where it
   * cannot. Burn-in then checks the first window against it, so a device that is wrong the same way
   * in every window still fails.
   */
  default java.util.OptionalDouble expectedChecksum(Precision precision, int size) {
    return java.util.OptionalDouble.empty();
  }

  /** Device-to-device copy bandwidth of {@code bytes}, {@code repeats} times, in GB/s. */
  double deviceToDevice(int device, long bytes, int repeats);

  /** Host-to-device copy bandwidth of {@code bytes} (pinned host memory), in GB/s. */
  double hostToDevice(int device, long bytes, int repeats);

  /** The GEMM precisions burn-in uses. */
  enum Precision {
    BF16,
    FP32;

    public static Precision parse(String text) {
      return switch (text == null ? "bf16" : text.toLowerCase(java.util.Locale.ROOT)) {
        case "bf16" -> BF16;
        case "fp32" -> FP32;
        default ->
            throw new IllegalArgumentException(
                "'" + text + "' is not a burn-in precision: use bf16 or fp32");
      };
    }
  }

  /**
   * What one window of GEMMs did.
   *
   * @param flops floating-point operations done (2·n³ per GEMM)
   * @param nanos how long they took
   * @param checksum a sum over the last result matrix: the same inputs give the same sum on a
   *     healthy device, window after window
   * @param finite false when the result held a NaN or an infinity
   */
  record GemmWindow(double flops, long nanos, double checksum, boolean finite) {
    public double tflops() {
      return nanos <= 0 ? 0 : flops / nanos / 1e3;
    }
  }
}
