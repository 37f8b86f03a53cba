package io.capstan.definitions.cluster;

import io.capstan.definitions.executor.GpuOp;
import java.time.Duration;

/**
 * The check each new GPU node passes, on its own GPU host's pinned queue, before it counts as
 * ready: an {@code inventory}, a {@code burn-in} (the default) or a {@code bandwidth} test.
 *
 * @param op the check; never {@link GpuOp#GEMM}, which validation refuses
 * @param duration how long a burn-in runs; default 60s
 * @param minTflops the least throughput that passes; null accepts any
 */
public record GpuValidation(GpuOp op, Duration duration, Double minTflops) {
  public static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);

  /** A burn-in of the default duration. */
  public static final GpuValidation DEFAULT = new GpuValidation(null, null, null);

  public GpuValidation {
    op = op == null ? GpuOp.BURN_IN : op;
    duration = duration == null ? DEFAULT_DURATION : duration;
  }
}
