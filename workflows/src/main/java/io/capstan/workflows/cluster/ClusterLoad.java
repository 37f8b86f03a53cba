package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.Taint;
import java.util.List;
import java.util.Map;

/**
 * What the autoscaler reads from Kubernetes: the cluster's nodes with their allocatable and
 * requested CPU and GPUs, and the pods no node could take.
 */
public record ClusterLoad(List<NodeLoad> nodes, List<PendingPod> pending) {
  public ClusterLoad {
    nodes = nodes == null ? List.of() : List.copyOf(nodes);
    pending = pending == null ? List.of() : List.copyOf(pending);
  }

  /**
   * One node. Requests count the pods bound to it that have not ended, DaemonSet pods included.
   *
   * @param movablePods pods that would have to move for the node to go (DaemonSet and mirror pods
   *     excluded)
   */
  public record NodeLoad(
      String name,
      String pool,
      String instanceId,
      boolean ready,
      boolean schedulable,
      long allocatableCpuMilli,
      int allocatableGpus,
      long requestedCpuMilli,
      int requestedGpus,
      int movablePods) {}

  /**
   * A pod the scheduler could not place (PodScheduled False, reason Unschedulable).
   *
   * @param tolerations the taints it tolerates, as {@code key=value:Effect} (value and effect may
   *     be empty for operator Exists)
   */
  public record PendingPod(
      String namespace,
      String name,
      long cpuMilli,
      int gpus,
      Map<String, String> nodeSelector,
      List<Toleration> tolerations) {
    /** Whether the pod tolerates {@code taint} as the scheduler would. */
    public boolean tolerates(Taint taint) {
      return tolerations.stream().anyMatch(t -> t.tolerates(taint));
    }
  }

  /** A pod's toleration. An empty key with operator Exists tolerates every taint. */
  public record Toleration(String key, String operator, String value, String effect) {
    public boolean tolerates(Taint taint) {
      if (effect != null && !effect.isEmpty() && !effect.equals(taint.effect().wireName())) {
        return false;
      }
      if (key == null || key.isEmpty()) {
        return "Exists".equals(operator);
      }
      if (!key.equals(taint.key())) {
        return false;
      }
      if ("Exists".equals(operator)) {
        return true;
      }
      String wanted = value == null ? "" : value;
      return wanted.equals(taint.value() == null ? "" : taint.value());
    }
  }
}
