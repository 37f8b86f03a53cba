package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.Taint;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;

/**
 * A cluster's Kubernetes side, served on the infrastructure queue through fabric8: the nodes its
 * instances become (matched by {@code spec.providerID}), the pool's labels and taints on them, the
 * load the autoscaler reads, draining and removing nodes. Every call is idempotent.
 */
@ActivityInterface
public interface NodeActivities {
  /** The label every node of a pool carries once Capstan has configured it. */
  String POOL_LABEL = "capstan.io/pool";

  /** The label with the cluster's name. */
  String CLUSTER_LABEL = "capstan.io/cluster";

  /** The label with the cluster's namespace. */
  String CLUSTER_NAMESPACE_LABEL = "capstan.io/cluster-namespace";

  /**
   * The taint a node registers with until Capstan has applied its pool's labels and taints, so that
   * nothing is scheduled on a GPU node before its GPU taint is there.
   */
  String UNINITIALIZED_TAINT = "node.capstan.io/uninitialized";

  /**
   * Waits, heartbeating, until every instance has a Ready node or the deadline passes, and answers
   * the nodes found (a shortfall is the caller's to explain).
   */
  @ActivityMethod(name = "AwaitNodes")
  List<NodeView> awaitNodes(AwaitNodesRequest request);

  /**
   * Gives the nodes their pool's labels and taints (replacing the taints Capstan set before) and
   * removes the {@link #UNINITIALIZED_TAINT}.
   */
  @ActivityMethod(name = "ConfigureNodes")
  List<NodeView> configureNodes(ConfigureNodesRequest request);

  /** The cluster's nodes, requested and allocatable resources, and pods no node could take. */
  @ActivityMethod(name = "ClusterLoad")
  ClusterLoad load(ClusterRef cluster);

  /**
   * Cordons the node and evicts its pods (DaemonSet and mirror pods stay), retrying refusals of a
   * PodDisruptionBudget until the timeout; answers what is left on it.
   */
  @ActivityMethod(name = "DrainNode")
  DrainResult drain(DrainRequest request);

  /**
   * Deletes nodes of the cluster: those named, or when {@code nodes} is null every node of {@code
   * pool} (of the whole cluster when that is null too); answers the names deleted.
   */
  @ActivityMethod(name = "DeleteNodes")
  List<String> deleteNodes(DeleteNodesRequest request);

  record AwaitNodesRequest(
      ClusterRef cluster, String pool, List<String> providerIds, long deadlineMillis) {}

  record ConfigureNodesRequest(
      ClusterRef cluster,
      String pool,
      List<String> nodes,
      Map<String, String> labels,
      List<Taint> taints) {}

  /**
   * @param timeoutMillis how long evictions are retried before the drain gives up
   */
  record DrainRequest(ClusterRef cluster, String node, long timeoutMillis) {}

  /** Marks nodes schedulable again: a scale-down whose drain gave up leaves the node in service. */
  @ActivityMethod(name = "UncordonNode")
  void uncordon(ClusterRef cluster, String node);

  /**
   * @param remaining the pods still on the node (namespace/name), empty when drained
   */
  record DrainResult(String node, int evicted, List<String> remaining, String blockedBy) {
    public boolean drained() {
      return remaining.isEmpty();
    }
  }

  record DeleteNodesRequest(ClusterRef cluster, String pool, List<String> nodes) {}
}
