package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.definitions.cluster.Taint;
import io.capstan.definitions.cluster.TaintEffect;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The autoscaling policy, in the manner of the Kubernetes cluster-autoscaler, as pure arithmetic
 * over what Kubernetes reports: pods the scheduler could not place grow the pool that can take them
 * (the cheapest that fits; a pool without GPUs for pods that need none), and so does a pool whose
 * requested CPU or GPUs stand above the target utilization; a node whose requests stay below the
 * target for the scale-down delay, and whose pods the rest of its pool can take, is drained and
 * removed, one at a time and never below a pool's or the cluster's minimum, and not within the
 * delay after a scale-up. Every decision carries its reason. Time is the caller's (workflow time).
 *
 * <p>Free capacity on a pool's nodes counts against what pending pods need, so pods that wait for
 * nodes that just joined do not grow the pool again. It is counted in aggregate per pool, so a
 * pending pod that fits no single node's free room but fits the sum does not scale up: the same
 * simplification cluster-autoscaler's estimator makes for a first guess.
 */
public final class Autoscaler {
  /** A node pool as the autoscaler sees it: bounds, placement and the capacity of one node. */
  public record PoolShape(
      String name,
      int min,
      int max,
      int desired,
      Map<String, String> labels,
      List<Taint> taints,
      long cpuMilliPerNode,
      int gpusPerNode,
      double hourly) {}

  /** What to do. */
  public enum Action {
    /** Raise a pool's desired capacity to {@code to}. */
    SCALE_UP,
    /** Drain {@code node} and terminate {@code instanceId}, decrementing the pool's capacity. */
    REMOVE_NODE,
    /** Nothing may be done now, for the reason given (a paused budget, a pod no pool fits). */
    HOLD
  }

  public record Decision(
      Action action, String pool, int from, int to, String node, String instanceId, String reason) {
    static Decision scaleUp(String pool, int from, int to, String reason) {
      return new Decision(Action.SCALE_UP, pool, from, to, null, null, reason);
    }

    static Decision hold(String pool, String reason) {
      return new Decision(Action.HOLD, pool, 0, 0, null, null, reason);
    }
  }

  /** What the policy remembers between rounds, carried across continue-as-new. */
  public record Memory(long lastScaleUpMillis, Map<String, Long> unneededSince) {}

  private long lastScaleUpMillis;
  private final Map<String, Long> unneededSince = new LinkedHashMap<>();

  public Autoscaler() {
    this(new Memory(0, Map.of()));
  }

  public Autoscaler(Memory memory) {
    this.lastScaleUpMillis = memory.lastScaleUpMillis();
    this.unneededSince.putAll(memory.unneededSince());
  }

  public Memory memory() {
    return new Memory(lastScaleUpMillis, new LinkedHashMap<>(unneededSince));
  }

  /** Records that a scale-up happened now: no scale-down for the delay, and every node needed. */
  public void scaledUp(long nowMillis) {
    lastScaleUpMillis = nowMillis;
    unneededSince.clear();
  }

  /**
   * One round of the policy.
   *
   * @param scaleUpHeld why scale-ups are held (a budget with {@code onBudget: pause}); null when
   *     they are not
   */
  public List<Decision> decide(
      AutoscalingSpec spec,
      List<PoolShape> pools,
      ClusterLoad load,
      long nowMillis,
      String scaleUpHeld) {
    List<Decision> decisions = new ArrayList<>();
    Map<String, Integer> desired = new LinkedHashMap<>();
    pools.forEach(pool -> desired.put(pool.name(), pool.desired()));
    bounds(spec, pools, desired, decisions);
    scaleUp(spec, pools, load, desired, decisions);
    List<Decision> ups = decisions.stream().filter(d -> d.action() == Action.SCALE_UP).toList();
    if (!ups.isEmpty()) {
      if (scaleUpHeld != null) {
        List<Decision> held = new ArrayList<>();
        for (Decision up : ups) {
          held.add(
              Decision.hold(
                  up.pool(),
                  "scale-up of "
                      + up.pool()
                      + " to "
                      + up.to()
                      + " held: "
                      + scaleUpHeld
                      + " (wanted: "
                      + up.reason()
                      + ")"));
        }
        decisions.removeAll(ups);
        decisions.addAll(held);
        // Held scale-ups change nothing: idle nodes may still go, which is what a paused budget
        // wants most.
        scaleDown(spec, pools, load, nowMillis).ifPresent(decisions::add);
        return decisions;
      }
      return decisions;
    }
    scaleDown(spec, pools, load, nowMillis).ifPresent(decisions::add);
    return decisions;
  }

  /** Pools below their minimum, and a cluster below its {@code minNodes}, grow to them. */
  private static void bounds(
      AutoscalingSpec spec,
      List<PoolShape> pools,
      Map<String, Integer> desired,
      List<Decision> decisions) {
    for (PoolShape pool : pools) {
      if (pool.desired() < pool.min()) {
        desired.put(pool.name(), pool.min());
        decisions.add(
            Decision.scaleUp(
                pool.name(), pool.desired(), pool.min(), "below the pool's minSize " + pool.min()));
      }
    }
    if (spec.minNodes() == null) {
      return;
    }
    int total = desired.values().stream().mapToInt(Integer::intValue).sum();
    for (PoolShape pool : cheapestFirst(pools)) {
      if (total >= spec.minNodes()) {
        break;
      }
      int now = desired.get(pool.name());
      int to = Math.min(pool.max(), now + (spec.minNodes() - total));
      if (to > now) {
        total += to - now;
        desired.put(pool.name(), to);
        replace(
            decisions,
            Decision.scaleUp(
                pool.name(),
                pool.desired(),
                to,
                "the cluster has fewer nodes than its minNodes " + spec.minNodes()));
      }
    }
  }

  private void scaleUp(
      AutoscalingSpec spec,
      List<PoolShape> pools,
      ClusterLoad load,
      Map<String, Integer> desired,
      List<Decision> decisions) {
    Map<String, List<ClusterLoad.PendingPod>> byPool = new LinkedHashMap<>();
    for (ClusterLoad.PendingPod pod : load.pending()) {
      Optional<PoolShape> pool = poolFor(pod, pools);
      if (pool.isEmpty()) {
        decisions.add(
            Decision.hold(
                null,
                "pod "
                    + pod.namespace()
                    + "/"
                    + pod.name()
                    + " (cpu "
                    + pod.cpuMilli()
                    + "m, gpu "
                    + pod.gpus()
                    + ") fits no node pool: its node selector, tolerations or requests match none"));
        continue;
      }
      byPool.computeIfAbsent(pool.get().name(), name -> new ArrayList<>()).add(pod);
    }
    int total = desired.values().stream().mapToInt(Integer::intValue).sum();
    for (PoolShape pool : pools) {
      NodeLoadSum sum = sum(load, pool.name());
      int current = desired.get(pool.name());
      // The pool's size the pending pods and the utilization ask for; the larger one wins.
      int wanted = current;
      List<String> reasons = new ArrayList<>();
      List<ClusterLoad.PendingPod> pending = byPool.getOrDefault(pool.name(), List.of());
      if (!pending.isEmpty()) {
        long cpu = pending.stream().mapToLong(ClusterLoad.PendingPod::cpuMilli).sum();
        long gpus = pending.stream().mapToLong(ClusterLoad.PendingPod::gpus).sum();
        // Nodes that are still coming count as room: desired beyond the nodes Kubernetes has.
        int coming = Math.max(0, current - sum.nodes());
        long freeCpu = sum.freeCpu() + coming * pool.cpuMilliPerNode();
        long freeGpus = sum.freeGpus() + (long) coming * pool.gpusPerNode();
        int forCpu = nodesFor(cpu - freeCpu, pool.cpuMilliPerNode());
        int forGpus = pool.gpusPerNode() == 0 ? 0 : nodesFor(gpus - freeGpus, pool.gpusPerNode());
        int more = Math.max(forCpu, forGpus);
        if (more > 0) {
          wanted = current + more;
          reasons.add(
              pending.size()
                  + " pod"
                  + (pending.size() == 1 ? "" : "s")
                  + " unschedulable (cpu "
                  + cpu
                  + "m"
                  + (gpus > 0 ? ", " + gpus + " GPU" + (gpus == 1 ? "" : "s") : "")
                  + ")");
        }
      }
      if (sum.readyNodes() > 0) {
        // Utilization is measured against what the Ready nodes can allocate, and so is the size
        // that would bring it to the target.
        wanted =
            Math.max(
                wanted,
                sizeFor(
                    "cpu",
                    sum.requestedCpu(),
                    sum.allocatableCpu(),
                    sum.readyNodes(),
                    spec.targetCpuUtilization(),
                    reasons));
        if (sum.allocatableGpus() > 0) {
          wanted =
              Math.max(
                  wanted,
                  sizeFor(
                      "GPU",
                      sum.requestedGpus(),
                      sum.allocatableGpus(),
                      sum.readyNodes(),
                      spec.targetGpuUtilization(),
                      reasons));
        }
      }
      if (wanted <= current) {
        continue;
      }
      int to = Math.min(pool.max(), wanted);
      if (spec.maxNodes() != null) {
        to = Math.min(to, current + Math.max(0, spec.maxNodes() - total));
      }
      String why = String.join("; ", reasons);
      if (to <= current) {
        decisions.add(
            Decision.hold(
                pool.name(),
                why
                    + ", but "
                    + pool.name()
                    + " is at its maximum ("
                    + (current >= pool.max()
                        ? "maxSize " + pool.max()
                        : "cluster maxNodes " + spec.maxNodes())
                    + ")"));
        continue;
      }
      total += to - current;
      desired.put(pool.name(), to);
      replace(decisions, Decision.scaleUp(pool.name(), pool.desired(), to, why));
    }
  }

  /**
   * The pool size that brings {@code requested} of {@code allocatable} (over {@code readyNodes}) to
   * {@code targetPercent}, with the reason added; 0 when utilization is at or under the target.
   */
  private static int sizeFor(
      String resource,
      long requested,
      long allocatable,
      int readyNodes,
      int targetPercent,
      List<String> reasons) {
    double use = (double) requested / Math.max(1, allocatable);
    double target = targetPercent / 100.0;
    if (use <= target) {
      return 0;
    }
    reasons.add(
        String.format(
            java.util.Locale.ROOT,
            "%s requests at %d%% of capacity, above the %d%% target",
            resource,
            Math.round(use * 100),
            targetPercent));
    double perNode = (double) allocatable / readyNodes;
    return (int) Math.ceil(requested / (perNode * target));
  }

  private Optional<Decision> scaleDown(
      AutoscalingSpec spec, List<PoolShape> pools, ClusterLoad load, long nowMillis) {
    long delay = spec.scaleDownDelay().toMillis();
    List<String> present = new ArrayList<>();
    int totalNodes = pools.stream().mapToInt(PoolShape::desired).sum();
    Decision best = null;
    long bestSince = Long.MAX_VALUE;
    for (PoolShape pool : pools) {
      NodeLoadSum sum = sum(load, pool.name());
      for (ClusterLoad.NodeLoad node : load.nodes()) {
        if (!pool.name().equals(node.pool())) {
          continue;
        }
        present.add(node.name());
        double target = spec.targetCpuUtilization() / 100.0;
        double cpuUse = (double) node.requestedCpuMilli() / Math.max(1, node.allocatableCpuMilli());
        double gpuUse =
            node.allocatableGpus() == 0
                ? 0
                : (double) node.requestedGpus() / node.allocatableGpus();
        double gpuTarget = spec.targetGpuUtilization() / 100.0;
        // Its pods must fit in what the rest of the pool has free.
        long othersFreeCpu =
            sum.freeCpu() - Math.max(0, node.allocatableCpuMilli() - node.requestedCpuMilli());
        long othersFreeGpus =
            sum.freeGpus() - Math.max(0, node.allocatableGpus() - node.requestedGpus());
        boolean fitsElsewhere =
            node.movablePods() == 0
                || (node.requestedCpuMilli() <= othersFreeCpu
                    && node.requestedGpus() <= othersFreeGpus);
        // Without it the pool must stay at or under the target, or the next round would scale
        // it up again.
        long restCpu = sum.allocatableCpu() - node.allocatableCpuMilli();
        long restGpus = sum.allocatableGpus() - node.allocatableGpus();
        boolean staysUnderTarget =
            sum.requestedCpu() <= restCpu * target
                && (sum.allocatableGpus() == 0 || sum.requestedGpus() <= restGpus * gpuTarget);
        boolean unneeded =
            node.ready()
                && cpuUse < target
                && gpuUse < gpuTarget
                && fitsElsewhere
                && staysUnderTarget
                && pool.desired() > pool.min();
        if (!unneeded) {
          unneededSince.remove(node.name());
          continue;
        }
        long since = unneededSince.computeIfAbsent(node.name(), name -> nowMillis);
        if (nowMillis - since < delay || nowMillis - lastScaleUpMillis < delay) {
          continue;
        }
        if (spec.minNodes() != null && totalNodes - 1 < spec.minNodes()) {
          continue;
        }
        if (since < bestSince) {
          bestSince = since;
          best =
              new Decision(
                  Action.REMOVE_NODE,
                  pool.name(),
                  pool.desired(),
                  pool.desired() - 1,
                  node.name(),
                  node.instanceId(),
                  String.format(
                      java.util.Locale.ROOT,
                      "node %s unneeded for %ds (cpu %d%%, gpu %d%% requested, below the %d%%"
                          + " target)",
                      node.name(),
                      (nowMillis - since) / 1000,
                      Math.round(cpuUse * 100),
                      Math.round(gpuUse * 100),
                      spec.targetCpuUtilization()));
        }
      }
    }
    unneededSince.keySet().retainAll(present);
    if (best != null) {
      unneededSince.remove(best.node());
    }
    return Optional.ofNullable(best);
  }

  /** The pool a pending pod would land on: the cheapest that fits, GPU pools only for GPU pods. */
  static Optional<PoolShape> poolFor(ClusterLoad.PendingPod pod, List<PoolShape> pools) {
    return cheapestFirst(pools).stream()
        .filter(pool -> fits(pod, pool))
        .min(Comparator.comparing(pool -> pod.gpus() == 0 && pool.gpusPerNode() > 0));
  }

  static boolean fits(ClusterLoad.PendingPod pod, PoolShape pool) {
    for (Map.Entry<String, String> wanted : pod.nodeSelector().entrySet()) {
      if (!wanted.getValue().equals(pool.labels().get(wanted.getKey()))) {
        return false;
      }
    }
    for (Taint taint : pool.taints()) {
      if (taint.effect() != TaintEffect.PREFER_NO_SCHEDULE && !pod.tolerates(taint)) {
        return false;
      }
    }
    return pod.cpuMilli() <= pool.cpuMilliPerNode() && pod.gpus() <= pool.gpusPerNode();
  }

  private static List<PoolShape> cheapestFirst(List<PoolShape> pools) {
    return pools.stream()
        .sorted(Comparator.comparingDouble(PoolShape::hourly).thenComparing(PoolShape::name))
        .toList();
  }

  private static int nodesFor(long missing, long perNode) {
    if (missing <= 0) {
      return 0;
    }
    return (int) ((missing + perNode - 1) / Math.max(1, perNode));
  }

  private static void replace(List<Decision> decisions, Decision decision) {
    decisions.removeIf(
        d -> d.action() == Action.SCALE_UP && d.pool() != null && d.pool().equals(decision.pool()));
    decisions.add(decision);
  }

  /** A pool's nodes in sum. */
  private record NodeLoadSum(
      int nodes,
      int readyNodes,
      long allocatableCpu,
      long requestedCpu,
      int allocatableGpus,
      int requestedGpus) {
    long freeCpu() {
      return Math.max(0, allocatableCpu - requestedCpu);
    }

    long freeGpus() {
      return Math.max(0, allocatableGpus - requestedGpus);
    }
  }

  private static NodeLoadSum sum(ClusterLoad load, String pool) {
    int nodes = 0;
    int ready = 0;
    long cpu = 0;
    long cpuUsed = 0;
    int gpus = 0;
    int gpusUsed = 0;
    for (ClusterLoad.NodeLoad node : load.nodes()) {
      if (!pool.equals(node.pool())) {
        continue;
      }
      nodes++;
      if (node.ready() && node.schedulable()) {
        ready++;
        cpu += node.allocatableCpuMilli();
        cpuUsed += node.requestedCpuMilli();
        gpus += node.allocatableGpus();
        gpusUsed += node.requestedGpus();
      }
    }
    return new NodeLoadSum(nodes, ready, cpu, cpuUsed, gpus, gpusUsed);
  }
}
