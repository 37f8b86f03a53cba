package io.capstan.definitions.cluster;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import java.time.Duration;

/**
 * Whether and how the cluster's node count follows its load, as Kubernetes' cluster-autoscaler
 * does: nodes are added while utilization is above the targets and removed after {@code
 * scaleDownDelay} below them, keeping the total between {@code minNodes} and {@code maxNodes} and
 * each pool within its own sizes.
 *
 * @param minNodes null for the sum of the pools' minSize
 * @param maxNodes null for the sum of the pools' maxSize
 * @param targetCpuUtilization percent, 1 to 100; 0 (not written) means the default, 50
 * @param targetGpuUtilization percent, 1 to 100; 0 (not written) means the default, 50
 * @param scaleDownDelay how long a node stays underused before it is removed; default 10m
 */
// A flag or target left out is read as false or 0 (then the default) rather than refused: the
// parser's mapper fails on a missing primitive otherwise.
public record AutoscalingSpec(
    @JsonSetter(nulls = Nulls.AS_EMPTY) boolean enabled,
    Integer minNodes,
    Integer maxNodes,
    @JsonSetter(nulls = Nulls.AS_EMPTY) int targetCpuUtilization,
    @JsonSetter(nulls = Nulls.AS_EMPTY) int targetGpuUtilization,
    Duration scaleDownDelay) {
  /** cluster-autoscaler's default utilization threshold, 0.5, as a percentage. */
  public static final int DEFAULT_TARGET_UTILIZATION = 50;

  public static final Duration DEFAULT_SCALE_DOWN_DELAY = Duration.ofMinutes(10);

  public AutoscalingSpec {
    targetCpuUtilization =
        targetCpuUtilization == 0 ? DEFAULT_TARGET_UTILIZATION : targetCpuUtilization;
    targetGpuUtilization =
        targetGpuUtilization == 0 ? DEFAULT_TARGET_UTILIZATION : targetGpuUtilization;
    scaleDownDelay = scaleDownDelay == null ? DEFAULT_SCALE_DOWN_DELAY : scaleDownDelay;
  }

  /** No autoscaling: the pools keep the sizes they are given. */
  public static AutoscalingSpec disabled() {
    return new AutoscalingSpec(false, null, null, 0, 0, null);
  }
}
