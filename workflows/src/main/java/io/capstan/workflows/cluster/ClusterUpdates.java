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

  /** What an operation did. */
  public record Result(String operation, String message, ClusterPhase phase) {}
}
