package io.capstan.workflows.cluster;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * How a {@code RollingUpdate} run and its cluster's entity talk, served on the control-plane queue
 * through the Temporal client: a workflow cannot send an Update itself, and a pool is taken and
 * given back by the cluster's {@link ClusterUpdates#BEGIN_ROLLOUT} and {@link
 * ClusterUpdates#END_ROLLOUT} Updates, so that their validation answers.
 */
@ActivityInterface
public interface RolloutRunActivities {
  /** No Cluster run of that id is running. Not retried. */
  String CLUSTER_NOT_FOUND = "ClusterNotFound";

  /** The cluster refused the rollout (another holds the pool, no such pool). Not retried. */
  String ROLLOUT_REFUSED = "RolloutRefused";

  /** Takes the pool for the rollout: idempotent per rollout id. */
  @ActivityMethod(name = "BeginRollout")
  ClusterUpdates.RolloutLease begin(String clusterWorkflowId, ClusterUpdates.BeginRollout request);

  /** Gives the pool back; a cluster that is gone, or holds nothing for the id, is no error. */
  @ActivityMethod(name = "EndRollout")
  void end(String clusterWorkflowId, ClusterUpdates.EndRollout request);

  /** Whether the rollout run of this workflow id is still running. */
  @ActivityMethod(name = "RolloutRunning")
  boolean running(String rolloutWorkflowId);
}
