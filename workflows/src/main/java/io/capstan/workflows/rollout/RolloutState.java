package io.capstan.workflows.rollout;

import io.capstan.definitions.Durations;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.definitions.rollout.RolloutBudget;
import io.capstan.definitions.rollout.RolloutStrategy;
import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.NodeActivities;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout's state inside its workflow: plain deterministic code the workflow changes, and that
 * {@link #snapshot()} carries across continue-as-new.
 */
final class RolloutState {
  static final int EVENTS_KEPT = 100;

  /** What continue-as-new carries. */
  record Snapshot(
      RolloutPhase phase,
      String reason,
      int batch,
      RolloutStrategy strategy,
      long startedMillis,
      String fromVersion,
      boolean rollingBack,
      String rollbackCause,
      ClusterUpdates.RolloutLease lease,
      int checkpoint,
      Map<String, NodeRoll> nodes,
      Map<String, Map<String, NodeActivities.PodEviction>> evicting,
      List<RolloutEvent> events) {}

  final RollingUpdateDefinition definition;
  RolloutPhase phase = RolloutPhase.Starting;
  String reason;
  int batch;
  RolloutStrategy strategy;
  long startedMillis;
  String fromVersion;
  boolean rollingBack;

  /** Why the rollout turned back; null unless it did. */
  String rollbackCause;

  ClusterUpdates.RolloutLease lease;

  /** The index of the next checkpoint not yet reached. */
  int checkpoint;

  /** By instance id, in the order they were seen. */
  final Map<String, NodeRoll> nodes = new LinkedHashMap<>();

  /** Evictions accepted and not finished, by instance id, then pod. */
  final Map<String, Map<String, NodeActivities.PodEviction>> evicting = new LinkedHashMap<>();

  final List<RolloutEvent> events = new ArrayList<>();
  String outcome;

  RolloutState(RollingUpdateDefinition definition, long nowMillis) {
    this.definition = definition;
    this.strategy = definition.spec().strategy();
    this.startedMillis = nowMillis;
  }

  static RolloutState restore(RollingUpdateDefinition definition, Snapshot snapshot) {
    RolloutState state = new RolloutState(definition, snapshot.startedMillis());
    state.phase = snapshot.phase();
    state.reason = snapshot.reason();
    state.batch = snapshot.batch();
    state.strategy = snapshot.strategy();
    state.fromVersion = snapshot.fromVersion();
    state.rollingBack = snapshot.rollingBack();
    state.rollbackCause = snapshot.rollbackCause();
    state.lease = snapshot.lease();
    state.checkpoint = snapshot.checkpoint();
    state.nodes.putAll(snapshot.nodes());
    snapshot.evicting().forEach((k, v) -> state.evicting.put(k, new LinkedHashMap<>(v)));
    state.events.addAll(snapshot.events());
    return state;
  }

  Snapshot snapshot() {
    Map<String, Map<String, NodeActivities.PodEviction>> copy = new LinkedHashMap<>();
    evicting.forEach((k, v) -> copy.put(k, new LinkedHashMap<>(v)));
    return new Snapshot(
        phase,
        reason,
        batch,
        strategy,
        startedMillis,
        fromVersion,
        rollingBack,
        rollbackCause,
        lease,
        checkpoint,
        new LinkedHashMap<>(nodes),
        copy,
        List.copyOf(events));
  }

  String toVersion() {
    return definition.spec().launchTemplate().version();
  }

  /** The version nodes are rolled onto now. */
  String target() {
    return rollingBack ? fromVersion : toVersion();
  }

  int desired() {
    return lease == null ? 0 : lease.desired();
  }

  RolloutBudget budget() {
    return strategy.budget(desired());
  }

  /** Nodes in the pool on the target version. */
  List<NodeRoll> fresh() {
    return nodes.values().stream()
        .filter(NodeRoll::inPool)
        .filter(n -> target().equals(n.version()))
        .toList();
  }

  /** Nodes in the pool still to roll (not on the target, not skipped). */
  List<NodeRoll> old() {
    return nodes.values().stream()
        .filter(NodeRoll::inPool)
        .filter(n -> n.phase() != NodePhase.Skipped)
        .filter(n -> !target().equals(n.version()))
        .toList();
  }

  void put(NodeRoll node) {
    nodes.put(node.instanceId(), node);
  }

  RolloutEvent record(long nowMillis, String type, String node, String message) {
    RolloutEvent event =
        new RolloutEvent(Instant.ofEpochMilli(nowMillis).toString(), type, node, message);
    events.add(event);
    if (events.size() > EVENTS_KEPT) {
      events.remove(0);
    }
    return event;
  }

  RolloutStatus status(long nowMillis) {
    var spec = definition.spec();
    Map<String, RolloutStatus.NodeStatus> view = new LinkedHashMap<>();
    for (NodeRoll node : nodes.values()) {
      view.put(
          node.key(),
          new RolloutStatus.NodeStatus(
              node.instanceId(),
              node.phase(),
              node.version(),
              node.batch(),
              Instant.ofEpochMilli(node.sinceMillis()).toString(),
              node.podsLeft(),
              node.blockedBy()));
    }
    RolloutBudget budget = null;
    try {
      budget = desired() == 0 ? null : budget();
    } catch (IllegalArgumentException unresolvable) {
      budget = null;
    }
    RolloutStatus.Strategy strategyView =
        new RolloutStatus.Strategy(
            strategy.maxSurge(),
            strategy.maxUnavailable(),
            budget == null ? 0 : budget.surge(),
            budget == null ? 0 : budget.unavailable(),
            Durations.format(strategy.drainTimeout()),
            Durations.format(strategy.podEvictionTimeout()),
            Durations.format(strategy.nodeDrainGracePeriod()),
            strategy.forceAllowed());
    int rolled =
        (int)
            nodes.values().stream()
                .filter(NodeRoll::inPool)
                .filter(n -> target().equals(n.version()) && n.phase() == NodePhase.Ready)
                .count();
    return new RolloutStatus(
        definition.metadata().namespace(),
        definition.metadata().name(),
        spec.cluster(),
        spec.nodePool(),
        phase,
        reason,
        batch,
        fromVersion,
        toVersion(),
        target(),
        desired(),
        strategyView,
        Instant.ofEpochMilli(startedMillis).toString(),
        Math.max(0, (nowMillis - startedMillis) / 1000),
        view,
        rolled,
        old().size(),
        List.copyOf(events),
        outcome);
  }
}
