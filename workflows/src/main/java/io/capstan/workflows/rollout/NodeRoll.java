package io.capstan.workflows.rollout;

import java.util.List;

/**
 * One node of a rolled pool as its rollout tracks it. Each step is recorded here once done
 * (cordoned, drain started, terminated), so a worker that dies and replays never does it twice, and
 * a drain's deadline counts from when the drain really began.
 *
 * @param node the Kubernetes node; null until the instance has one
 * @param version the launch template version the instance came from
 * @param batch the batch it was surged or drained in; null before
 * @param sinceMillis workflow time of its last phase change
 * @param podsLeft pods still to leave while draining; null otherwise
 * @param blockedBy why pods cannot leave, one sentence each; empty when none
 * @param drainStartedMillis workflow time its drain began; 0 before
 * @param drainExtensionMillis how much an operator's {@code wait} added to its drainTimeout
 */
public record NodeRoll(
    String instanceId,
    String node,
    String version,
    NodePhase phase,
    Integer batch,
    long sinceMillis,
    boolean ready,
    Integer podsLeft,
    List<String> blockedBy,
    boolean cordoned,
    long drainStartedMillis,
    long drainExtensionMillis,
    boolean terminated) {
  public NodeRoll {
    blockedBy = blockedBy == null ? List.of() : List.copyOf(blockedBy);
  }

  static NodeRoll of(String instanceId, String node, String version, boolean ready, long now) {
    return new NodeRoll(
        instanceId,
        node,
        version,
        NodePhase.Pending,
        null,
        now,
        ready,
        null,
        List.of(),
        false,
        0,
        0,
        false);
  }

  NodeRoll in(NodePhase next, long now) {
    return new NodeRoll(
        instanceId,
        node,
        version,
        next,
        batch,
        next == phase ? sinceMillis : now,
        ready,
        next == NodePhase.Draining || next == NodePhase.Blocked ? podsLeft : null,
        next == NodePhase.Blocked || next == NodePhase.Draining ? blockedBy : List.of(),
        cordoned,
        drainStartedMillis,
        drainExtensionMillis,
        terminated);
  }

  NodeRoll inBatch(int number) {
    return new NodeRoll(
        instanceId,
        node,
        version,
        phase,
        number,
        sinceMillis,
        ready,
        podsLeft,
        blockedBy,
        cordoned,
        drainStartedMillis,
        drainExtensionMillis,
        terminated);
  }

  NodeRoll withNode(String name, boolean isReady) {
    return new NodeRoll(
        instanceId,
        name,
        version,
        phase,
        batch,
        sinceMillis,
        isReady,
        podsLeft,
        blockedBy,
        cordoned,
        drainStartedMillis,
        drainExtensionMillis,
        terminated);
  }

  NodeRoll withCordon(boolean isCordoned) {
    return new NodeRoll(
        instanceId,
        node,
        version,
        phase,
        batch,
        sinceMillis,
        ready,
        podsLeft,
        blockedBy,
        isCordoned,
        drainStartedMillis,
        drainExtensionMillis,
        terminated);
  }

  NodeRoll withDrain(long startedMillis, long extensionMillis, Integer left, List<String> why) {
    return new NodeRoll(
        instanceId,
        node,
        version,
        phase,
        batch,
        sinceMillis,
        ready,
        left,
        why,
        cordoned,
        startedMillis,
        extensionMillis,
        terminated);
  }

  NodeRoll asTerminated(long now) {
    return new NodeRoll(
        instanceId,
        node,
        version,
        NodePhase.Terminated,
        batch,
        now,
        false,
        null,
        List.of(),
        cordoned,
        drainStartedMillis,
        drainExtensionMillis,
        true);
  }

  /** Whether it is still part of the pool (not terminated, not failed away). */
  boolean inPool() {
    return phase != NodePhase.Terminated && phase != NodePhase.Failed;
  }

  /** The name the status shows it by: its node, or its instance while it has none. */
  String key() {
    return node == null ? instanceId : node;
  }
}
