package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.definitions.cluster.NodePoolSpec;
import java.util.List;

/**
 * The operations a cluster takes after creation, as Temporal Updates: their names (for the API, the
 * CLI and {@code temporal workflow update execute --name NAME}) and their arguments.
 */
public final class ClusterUpdates {
  public static final String SCALE = "scale";
  public static final String ADD_POOL = "addPool";
  public static final String REMOVE_POOL = "removePool";
  public static final String SET_AUTOSCALING = "setAutoscaling";
  public static final String DELETE = "delete";

  public static final List<String> ALL =
      List.of(SCALE, ADD_POOL, REMOVE_POOL, SET_AUTOSCALING, DELETE);

  private ClusterUpdates() {}

  /**
   * Sets a pool's desired capacity, and its bounds when given.
   *
   * @param min null to keep the pool's minimum
   * @param max null to keep the pool's maximum
   */
  public record Scale(String pool, Integer desired, Integer min, Integer max) {}

  public record AddPool(NodePoolSpec pool) {}

  /**
   * Removes a pool, draining its nodes first.
   *
   * @param force remove it even when pods cannot be evicted in time (a PodDisruptionBudget says
   *     no); without it the removal fails and the nodes stay in service
   */
  public record RemovePool(String pool, Boolean force) {
    public RemovePool(String pool) {
      this(pool, false);
    }

    public boolean forced() {
      return Boolean.TRUE.equals(force);
    }
  }

  public record SetAutoscaling(AutoscalingSpec autoscaling) {}

  /** Deletes the cluster: every group, instance and node. */
  public record Delete(String reason) {}

  /**
   * The Updates a {@code RollingUpdate} run sends (through its activities) to take a pool for its
   * rollout and give it back; not operations a person calls, so not in {@link #ALL}.
   */
  public static final String BEGIN_ROLLOUT = "beginRollout";

  public static final String END_ROLLOUT = "endRollout";

  /**
   * Takes {@code pool} for the rollout run {@code rolloutId}: its autoscaler is held, and scaling
   * or removing it is refused, until {@link EndRollout}. Taking it again with the same id answers
   * the same lease.
   */
  public record BeginRollout(String rolloutId, String pool, String version) {}

  /**
   * What a rollout starts from: the pool as the cluster knows it.
   *
   * @param version the launch template version the pool's group launches now
   */
  public record RolloutLease(
      ClusterRef cluster,
      NodePoolSpec pool,
      String groupName,
      int min,
      int desired,
      int max,
      String version,
      java.time.Duration readyTimeout,
      List<ClusterState.Instance> instances) {}

  /**
   * Gives the pool back: the cluster records the version its group now launches and reads its
   * instances and nodes again. Ending a rollout that holds nothing is no error.
   *
   * @param outcome a sentence for the cluster's events
   */
  public record EndRollout(String rolloutId, String pool, String version, String outcome) {}

  /** What an operation did. */
  public record Result(String operation, String message, ClusterPhase phase) {}
}
