package io.capstan.definitions.rollout;

import java.time.Duration;

/**
 * How a rollout replaces nodes, with cluster-autoscaler's and Cluster API's drain knobs.
 *
 * @param maxSurge nodes above the desired count while rolling: a count or a percentage of desired,
 *     rounded up; default {@code 1}
 * @param maxUnavailable Ready nodes below desired while rolling: a count or percentage, rounded
 *     down; default {@code 0}
 * @param drainTimeout how long one node's drain may take before the rollout stops and says what
 *     blocks it; default 60m
 * @param podEvictionTimeout how long one pod may take to leave after its eviction was accepted
 *     before it counts as blocking; default 2m
 * @param nodeDrainGracePeriod how long a drained node stays before its instance is terminated, so
 *     that its pods' endpoints and logs get out; default 0
 * @param force whether an operator may force a blocked drain (delete the blocking pods with their
 *     grace period) and whether pods without a controller may be evicted; default false
 * @param deleteEmptyDirData whether pods with emptyDir volumes may be evicted (their data is lost);
 *     default true, as Cluster API and Karpenter drain
 */
public record RolloutStrategy(
    String maxSurge,
    String maxUnavailable,
    Duration drainTimeout,
    Duration podEvictionTimeout,
    Duration nodeDrainGracePeriod,
    Boolean force,
    Boolean deleteEmptyDirData) {
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofMinutes(60);
  public static final Duration DEFAULT_POD_EVICTION_TIMEOUT = Duration.ofMinutes(2);

  public RolloutStrategy {
    maxSurge = maxSurge == null ? RolloutBudget.DEFAULT_SURGE : maxSurge.trim();
    maxUnavailable =
        maxUnavailable == null ? RolloutBudget.DEFAULT_UNAVAILABLE : maxUnavailable.trim();
    drainTimeout = drainTimeout == null ? DEFAULT_DRAIN_TIMEOUT : drainTimeout;
    podEvictionTimeout =
        podEvictionTimeout == null ? DEFAULT_POD_EVICTION_TIMEOUT : podEvictionTimeout;
    nodeDrainGracePeriod = nodeDrainGracePeriod == null ? Duration.ZERO : nodeDrainGracePeriod;
    force = force != null && force;
    deleteEmptyDirData = deleteEmptyDirData == null || deleteEmptyDirData;
  }

  public static RolloutStrategy defaults() {
    return new RolloutStrategy(null, null, null, null, null, null, null);
  }

  public boolean forceAllowed() {
    return force;
  }

  /** The surge and unavailability for a pool of {@code desired} nodes. */
  public RolloutBudget budget(int desired) {
    return RolloutBudget.of(maxSurge, maxUnavailable, desired);
  }

  /** This strategy with other surge and unavailability (an operator's change mid-rollout). */
  public RolloutStrategy withBudget(String surge, String unavailable) {
    return new RolloutStrategy(
        surge == null ? maxSurge : surge,
        unavailable == null ? maxUnavailable : unavailable,
        drainTimeout,
        podEvictionTimeout,
        nodeDrainGracePeriod,
        force,
        deleteEmptyDirData);
  }
}
