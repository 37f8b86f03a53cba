package io.capstan.workflows.cluster;

import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.definitions.cluster.NodePoolSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster's state inside its workflow: phase, pools with their instances and nodes, events and
 * alerts (bounded), cost and budget, the autoscaler's memory. Plain deterministic code; the
 * workflow changes it and {@link #snapshot()} carries it across continue-as-new.
 */
public final class ClusterState {
  /** How many events and alerts the status keeps; older ones are in the workflow's history. */
  static final int EVENTS_KEPT = 100;

  static final int ALERTS_KEPT = 20;

  /**
   * One instance of a pool and the node it became.
   *
   * @param node null until its node registered
   */
  public record Instance(
      String instanceId, String zone, String node, boolean ready, String version) {}

  /** One pool: its spec (bounds as last set), group, instance type and instances. */
  public record Pool(
      NodePoolSpec spec,
      String groupName,
      int min,
      int desired,
      int max,
      InstanceTypeInfo type,
      Map<String, Instance> instances) {
    public Pool {
      instances = instances == null ? new LinkedHashMap<>() : new LinkedHashMap<>(instances);
    }

    Pool withBounds(int newMin, int newDesired, int newMax) {
      return new Pool(spec, groupName, newMin, newDesired, newMax, type, instances);
    }

    Pool withInstances(Map<String, Instance> newInstances) {
      return new Pool(spec, groupName, min, desired, max, type, newInstances);
    }

    int ready() {
      return (int) instances.values().stream().filter(Instance::ready).count();
    }
  }

  /** What continue-as-new carries. */
  public record Snapshot(
      ClusterPhase phase,
      Map<String, Pool> pools,
      AutoscalingSpec autoscaling,
      List<ClusterEvent> events,
      List<ClusterEvent> alerts,
      CostMeter.Snapshot cost,
      BudgetWatch.Snapshot budget,
      Autoscaler.Memory autoscaler,
      String scaleUpsHeld,
      Map<String, String> rollouts) {}

  private final ClusterDefinition definition;
  ClusterPhase phase = ClusterPhase.Creating;
  final Map<String, Pool> pools = new LinkedHashMap<>();
  AutoscalingSpec autoscaling;
  final List<ClusterEvent> events = new ArrayList<>();
  final List<ClusterEvent> alerts = new ArrayList<>();
  CostMeter cost;
  BudgetWatch budget = new BudgetWatch();
  Autoscaler autoscaler = new Autoscaler();
  String scaleUpsHeld;
  String failure;

  /** The pools a rollout holds: pool name to the rollout run's workflow id. */
  final Map<String, String> rollouts = new LinkedHashMap<>();

  ClusterState(ClusterDefinition definition, long nowMillis) {
    this.definition = definition;
    this.autoscaling = definition.spec().autoscaling();
    this.cost = new CostMeter(nowMillis);
  }

  static ClusterState restore(ClusterDefinition definition, Snapshot snapshot) {
    ClusterState state = new ClusterState(definition, snapshot.cost().lastMillis());
    state.phase = snapshot.phase();
    state.pools.putAll(snapshot.pools());
    state.autoscaling = snapshot.autoscaling();
    state.events.addAll(snapshot.events());
    state.alerts.addAll(snapshot.alerts());
    state.cost = CostMeter.restore(snapshot.cost());
    state.budget = BudgetWatch.restore(snapshot.budget());
    state.autoscaler = new Autoscaler(snapshot.autoscaler());
    state.scaleUpsHeld = snapshot.scaleUpsHeld();
    if (snapshot.rollouts() != null) {
      state.rollouts.putAll(snapshot.rollouts());
    }
    return state;
  }

  Snapshot snapshot() {
    return new Snapshot(
        phase,
        new LinkedHashMap<>(pools),
        autoscaling,
        List.copyOf(events),
        List.copyOf(alerts),
        cost.snapshot(),
        budget.snapshot(),
        autoscaler.memory(),
        scaleUpsHeld,
        new LinkedHashMap<>(rollouts));
  }

  ClusterDefinition definition() {
    return definition;
  }

  ClusterEvent record(long nowMillis, String type, String pool, String message) {
    ClusterEvent event =
        new ClusterEvent(Instant.ofEpochMilli(nowMillis).toString(), type, pool, message);
    events.add(event);
    if (events.size() > EVENTS_KEPT) {
      events.remove(0);
    }
    return event;
  }

  void alert(ClusterEvent event) {
    alerts.add(event);
    if (alerts.size() > ALERTS_KEPT) {
      alerts.remove(0);
    }
  }

  /** What runs now, per pool, for the cost meter: instances in service at the type's price. */
  Map<String, CostMeter.Rate> rates() {
    Map<String, CostMeter.Rate> rates = new LinkedHashMap<>();
    for (Pool pool : pools.values()) {
      if (pool.type() == null) {
        continue;
      }
      int gpus = pool.spec().isGpu() ? pool.spec().gpu().perNode() : pool.type().gpus();
      rates.put(
          pool.spec().name(),
          new CostMeter.Rate(
              pool.instances().size(), pool.type().hourly(pool.spec().isSpot()), gpus));
    }
    return rates;
  }

  ClusterStatus status(ClusterStatus.Operation operation, List<String> queued, long nowMillis) {
    Map<String, ClusterStatus.PoolStatus> poolViews = new LinkedHashMap<>();
    for (Pool pool : pools.values()) {
      List<ClusterStatus.NodeStatus> nodes = new ArrayList<>();
      for (Instance instance : pool.instances().values()) {
        nodes.add(
            new ClusterStatus.NodeStatus(
                instance.node(),
                instance.instanceId(),
                instance.zone(),
                instance.ready(),
                instance.version()));
      }
      NodePoolSpec spec = pool.spec();
      poolViews.put(
          spec.name(),
          new ClusterStatus.PoolStatus(
              spec.instanceType(),
              spec.isSpot(),
              spec.isGpu() ? spec.gpu().perNode() : 0,
              pool.min(),
              pool.desired(),
              pool.max(),
              pool.ready(),
              spec.launchTemplate() == null ? null : spec.launchTemplate().version(),
              nodes));
    }
    // A query sees the cost up to the last workflow task; rates() says what accrues since.
    Map<String, CostMeter.Rate> rates = rates();
    CostMeter meter = CostMeter.restore(cost.snapshot());
    meter.advance(nowMillis, rates);
    Map<String, ClusterStatus.PoolCost> poolCosts = new LinkedHashMap<>();
    meter
        .pools()
        .forEach(
            (name, c) ->
                poolCosts.put(
                    name,
                    new ClusterStatus.PoolCost(
                        round(c.dollars()), round(c.instanceHours()), Math.round(c.gpuSeconds()))));
    var budgetSpec = definition.spec().budget();
    ClusterStatus.Cost costView =
        new ClusterStatus.Cost(
            round(meter.total()),
            round(CostMeter.hourlyRate(rates)),
            meter.month(),
            round(meter.monthToDate()),
            round(meter.projectedMonthly(rates)),
            budgetSpec == null || budgetSpec.monthlyLimit() == null
                ? null
                : budgetSpec.monthlyLimit().doubleValue(),
            new java.util.TreeMap<>(poolCosts));
    ClusterEvent lastDecision = null;
    for (int i = events.size() - 1; i >= 0 && lastDecision == null; i--) {
      if (events.get(i).type().startsWith("Autoscaler")) {
        lastDecision = events.get(i);
      }
    }
    ClusterStatus.Autoscaling autoscalingView =
        new ClusterStatus.Autoscaling(
            autoscaling.enabled(),
            autoscaling.minNodes(),
            autoscaling.maxNodes(),
            autoscaling.targetCpuUtilization(),
            autoscaling.targetGpuUtilization(),
            io.capstan.definitions.Durations.format(autoscaling.scaleDownDelay()),
            scaleUpsHeld,
            lastDecision);
    return new ClusterStatus(
        definition.metadata().namespace(),
        definition.metadata().name(),
        phase,
        definition.spec().provider().name().toLowerCase(java.util.Locale.ROOT),
        definition.spec().region(),
        poolViews,
        operation,
        queued,
        autoscalingView,
        costView,
        List.copyOf(alerts),
        List.copyOf(events),
        failure);
  }

  private static double round(double value) {
    return Math.round(value * 100) / 100.0;
  }
}
