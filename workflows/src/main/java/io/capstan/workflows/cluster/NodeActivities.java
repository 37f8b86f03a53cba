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

  /**
   * Marks the node unschedulable; answers whether this call changed it (false when it was cordoned
   * already or is gone), so a caller replaying its steps can tell.
   */
  @ActivityMethod(name = "CordonNode")
  boolean cordon(ClusterRef cluster, String node);

  /**
   * One pass of a node's drain with {@code kubectl drain}'s semantics, through the eviction API:
   * DaemonSet pods, mirror pods and finished pods are left; a pod with emptyDir data or without a
   * controller is evicted only when the request allows it, else reported as blocking; a 429 (a
   * PodDisruptionBudget allows no disruption now) is retried with backoff within the pass, never
   * turned into a delete; a 500 because several budgets select the pod is reported as a
   * misconfiguration; a pod whose UID changed is a new pod and counts as gone; a pod whose accepted
   * eviction has not finished within {@code podEvictionTimeoutMillis} is reported as blocking. The
   * pass heartbeats and returns after {@code passMillis}, or sooner when the node is drained; the
   * drain's deadline is the caller's (a workflow timer), so a pass never decides that a drain
   * failed.
   */
  @ActivityMethod(name = "DrainPass")
  DrainPass drainPass(DrainPassRequest request);

  /**
   * Deletes the named pods of the node with their own grace period (an operator's {@code force} of
   * a blocked drain, past what the eviction API allows); answers those deleted. A pod no longer
   * there, or whose UID is not the one named, is skipped.
   */
  @ActivityMethod(name = "DeletePods")
  List<String> deletePods(DeletePodsRequest request);

  /**
   * @param passMillis how long this pass may retry refused evictions before it answers
   * @param evicting the evictions accepted in earlier passes, by pod (namespace/name), as the last
   *     pass answered them; empty at first
   */
  record DrainPassRequest(
      ClusterRef cluster,
      String node,
      long passMillis,
      long podEvictionTimeoutMillis,
      boolean deleteEmptyDirData,
      boolean evictUnmanaged,
      Map<String, PodEviction> evicting) {}

  /**
   * An eviction the API server accepted.
   *
   * @param uid the pod's UID then: the same name with another UID is another pod
   * @param sinceMillis epoch millis of the acceptance
   */
  record PodEviction(String uid, long sinceMillis) {}

  /**
   * Where a drain stands after one pass.
   *
   * @param evicted evictions accepted in this pass
   * @param remaining the pods still to leave (namespace/name), blocked or on their way out
   * @param blocked why pods cannot leave now, one entry per blocked pod
   * @param evicting every accepted eviction whose pod has not left yet, for the next pass
   * @param refusals 429 answers in this pass
   */
  record DrainPass(
      String node,
      boolean drained,
      int evicted,
      List<String> remaining,
      List<PodBlock> blocked,
      Map<String, PodEviction> evicting,
      int refusals) {}

  /**
   * A pod that blocks a drain, and why.
   *
   * @param pod namespace/name
   * @param budget the PodDisruptionBudget that refuses it (several, comma-separated, for {@link
   *     BlockReason#PDB_MISCONFIGURED}); null for other reasons
   * @param disruptionsAllowed the budget's {@code status.disruptionsAllowed}; null when unknown
   * @param message a sentence for an operator, e.g. "pod default/web-7 blocked by PDB web-pdb, 0
   *     disruptions allowed"
   */
  record PodBlock(
      String pod, BlockReason reason, String budget, Integer disruptionsAllowed, String message) {}

  enum BlockReason {
    /** A PodDisruptionBudget allows no disruption now (429). */
    PDB,
    /** Several budgets select the pod, so the API server cannot evict it (500). */
    PDB_MISCONFIGURED,
    /** It has emptyDir data and the drain may not delete it. */
    EMPTY_DIR,
    /** No controller would recreate it and the drain may not evict such pods. */
    UNMANAGED,
    /** Its eviction was accepted but it has not left within podEvictionTimeout. */
    EVICTION_TIMEOUT
  }

  /**
   * @param pods namespace/name to UID (null UID: whatever pod has the name)
   */
  record DeletePodsRequest(ClusterRef cluster, String node, Map<String, String> pods) {}
}
