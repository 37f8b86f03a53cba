package io.capstan.definitions.executor;

import java.time.Duration;

/** GPU-native work on a GPU host's pinned task queue. */
public record GpuSpec(
    Integer devices, GpuOp op, Duration duration, String dtype, Double minTflops) {
  public GpuSpec {
    devices = devices == null ? 1 : devices;
  }
}
