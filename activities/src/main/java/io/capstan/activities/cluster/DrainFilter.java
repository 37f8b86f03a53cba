package io.capstan.activities.cluster;

import io.capstan.workflows.cluster.NodeActivities.BlockReason;
import io.capstan.workflows.cluster.NodeActivities.PodBlock;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Map;

/**
 * What a drain does with each pod of a node, after {@code kubectl drain}'s filters: finished pods,
 * DaemonSet pods and mirror pods stay where they are; a pod with emptyDir data or without a
 * controller leaves only when the drain's strategy allows it.
 */
final class DrainFilter {
  static final String MIRROR_ANNOTATION = "kubernetes.io/config.mirror";

  private DrainFilter() {}

  /**
   * Whether a drain leaves the pod on the node: it has finished, its DaemonSet would put it back at
   * once (a DaemonSet tolerates a cordon), or it is a static pod's mirror, which the API cannot
   * remove.
   */
  static boolean stays(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase) || daemonOrMirror(pod);
  }

  /** Whether the pod is a DaemonSet's or a static pod's mirror. */
  static boolean daemonOrMirror(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(MIRROR_ANNOTATION)) {
      return true;
    }
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners != null && owners.stream().anyMatch(o -> "DaemonSet".equals(o.getKind()));
  }

  /**
   * Why the drain may not evict the pod, or null when it may: emptyDir data is lost with the pod,
   * and a pod no controller owns is not recreated anywhere, so both need the user's consent. A pod
   * that needs both is one block, whose message names both settings.
   */
  static PodBlock refusal(Pod pod, boolean deleteEmptyDirData, boolean evictUnmanaged) {
    String key = key(pod);
    String emptyDir = deleteEmptyDirData ? null : emptyDirVolume(pod);
    boolean unmanaged = !evictUnmanaged && !controlled(pod);
    if (unmanaged && emptyDir != null) {
      return new PodBlock(
          key,
          BlockReason.UNMANAGED,
          null,
          null,
          "pod "
              + key
              + " has no controller to recreate it and emptyDir data (volume "
              + emptyDir
              + "): set strategy.force: true and strategy.deleteEmptyDirData: true to evict it");
    }
    if (unmanaged) {
      return new PodBlock(
          key,
          BlockReason.UNMANAGED,
          null,
          null,
          "pod "
              + key
              + " has no controller to recreate it elsewhere: set strategy.force: true to evict it");
    }
    if (emptyDir != null) {
      return new PodBlock(
          key,
          BlockReason.EMPTY_DIR,
          null,
          null,
          "pod "
              + key
              + " has emptyDir data (volume "
              + emptyDir
              + ") that its eviction deletes: set strategy.deleteEmptyDirData: true to evict it");
    }
    return null;
  }

  /** {@code namespace/name}. */
  static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private static boolean controlled(Pod pod) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners != null && owners.stream().anyMatch(o -> Boolean.TRUE.equals(o.getController()));
  }

  private static String emptyDirVolume(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getVolumes() == null) {
      return null;
    }
    for (Volume volume : pod.getSpec().getVolumes()) {
      if (volume.getEmptyDir() != null) {
        return volume.getName();
      }
    }
    return null;
  }
}
