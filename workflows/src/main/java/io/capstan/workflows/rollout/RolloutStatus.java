package io.capstan.workflows.rollout;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A rollout as its {@code status} query answers and its run returns.
 *
 * @param reason why it waits or stopped, for a person; null while it simply rolls
 * @param batch the batch under way or last done; 0 before the first
 * @param target the version nodes are being rolled onto now: {@code toVersion}, or {@code
 *     fromVersion} while rolling back
 * @param desired the pool's node count the rollout keeps
 * @param nodes by node name (or instance id while an instance has no node)
 * @param rolled nodes on the target version and Ready
 * @param remaining nodes still to roll
 * @param outcome how it ended; null while it runs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RolloutStatus(
    String namespace,
    String name,
    String cluster,
    String pool,
    RolloutPhase phase,
    String reason,
    int batch,
    String fromVersion,
    String toVersion,
    String target,
    int desired,
    Strategy strategy,
    String startedAt,
    long elapsedSeconds,
    Map<String, NodeStatus> nodes,
    int rolled,
    int remaining,
    List<RolloutEvent> events,
    String outcome) {
  public static final String QUERY = "status";

  /**
   * @param surge maxSurge resolved against the pool's size
   * @param unavailable maxUnavailable resolved against the pool's size
   */
  public record Strategy(
      String maxSurge,
      String maxUnavailable,
      int surge,
      int unavailable,
      String drainTimeout,
      String podEvictionTimeout,
      String nodeDrainGracePeriod,
      boolean force) {}

  /**
   * @param since when it entered its phase
   * @param podsLeft while draining or blocked
   * @param blockedBy why its pods cannot leave
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record NodeStatus(
      String instanceId,
      NodePhase phase,
      String version,
      Integer batch,
      String since,
      Integer podsLeft,
      List<String> blockedBy) {}
}
