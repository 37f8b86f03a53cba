package io.capstan.definitions.executor;

import java.time.Duration;
import java.util.Map;

/**
 * GPU-native work on a GPU host's pinned task queue, on devices leased from the GPU fleet.
 *
 * @param devices how many devices the task leases (default 1)
 * @param deviceName only devices of this name, as inventory reports it; null for any
 * @param labels only devices whose host registered these labels
 * @param affinity where the task must run relative to earlier tasks; null for anywhere
 */
public record GpuSpec(
    Integer devices,
    GpuOp op,
    Duration duration,
    String dtype,
    Double minTflops,
    String deviceName,
    Map<String, String> labels,
    GpuAffinity affinity) {
  public GpuSpec {
    devices = devices == null ? 1 : devices;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  public GpuSpec(Integer devices, GpuOp op, Duration duration, String dtype, Double minTflops) {
    this(devices, op, duration, dtype, minTflops, null, null, null);
  }

  /** The host of an earlier task, by name: {@code affinity: {sameHostAs: burn-in}}. */
  public record GpuAffinity(String sameHostAs) {}
}
