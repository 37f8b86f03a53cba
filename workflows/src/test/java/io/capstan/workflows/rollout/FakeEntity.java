package io.capstan.workflows.rollout;

import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.ClusterState;
import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.FakeCloud;
import io.capstan.workflows.cluster.GroupState;
import io.capstan.workflows.cluster.RolloutRunActivities;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A cluster entity that lends one pool of a {@link FakeCloud} to rollouts, one at a time. */
final class FakeEntity implements RolloutRunActivities {
  private final FakeCloud cloud;
  private final ClusterRef ref;
  private final NodePoolSpec pool;
  final List<String> calls = new ArrayList<>();
  String holder;
  String endedWith;

  FakeEntity(FakeCloud cloud, ClusterRef ref, NodePoolSpec pool) {
    this.cloud = cloud;
    this.ref = ref;
    this.pool = pool;
  }

  @Override
  public synchronized ClusterUpdates.RolloutLease begin(
      String clusterWorkflowId, ClusterUpdates.BeginRollout request) {
    calls.add("begin " + request.rolloutId());
    if (holder != null && !holder.equals(request.rolloutId())) {
      throw ApplicationFailure.newNonRetryableFailure(
          "pool " + request.pool() + " is being rolled by " + holder, ROLLOUT_REFUSED);
    }
    holder = request.rolloutId();
    String group = ref.groupName(pool.name());
    GroupState state =
        cloud.describe(new io.capstan.workflows.cluster.CloudActivities.GroupRequest(ref, group));
    List<ClusterState.Instance> instances = new ArrayList<>();
    synchronized (cloud) {
      for (var instance : state.instances()) {
        var node = cloud.nodes.get("node-" + instance.instanceId());
        instances.add(
            new ClusterState.Instance(
                instance.instanceId(),
                instance.zone(),
                node == null ? null : node.name,
                node != null && node.ready,
                instance.launchTemplateVersion()));
      }
    }
    return new ClusterUpdates.RolloutLease(
        ref,
        pool,
        group,
        state.minSize(),
        state.desiredCapacity(),
        state.maxSize(),
        "1",
        Duration.ofMinutes(5),
        instances);
  }

  @Override
  public synchronized void end(String clusterWorkflowId, ClusterUpdates.EndRollout request) {
    calls.add("end " + request.rolloutId() + " " + request.version());
    if (request.rolloutId().equals(holder)) {
      holder = null;
      endedWith = request.version();
    }
  }

  @Override
  public boolean running(String rolloutWorkflowId) {
    return true;
  }
}
