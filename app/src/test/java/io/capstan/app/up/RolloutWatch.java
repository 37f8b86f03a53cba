package io.capstan.app.up;

import io.capstan.testkit.Eventually;
import io.capstan.workflows.cluster.NodeActivities;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * What the API server shows while a rollout replaces a pool, watched rather than asked: every
 * change of the pool's Nodes and of one namespace's Pods, recorded with the time it was seen, and
 * after each one the rollout's promises checked against what was seen so far:
 *
 * <ul>
 *   <li>the pool keeps at least {@code nodeFloor} Nodes that are Ready and schedulable (not
 *       cordoned, no longer carrying the uninitialized taint);
 *   <li>each Deployment named in {@code podFloors} (by its {@code app} label) keeps at least that
 *       many Ready pods that are not terminating;
 *   <li>no Node is cordoned twice (its {@code spec.unschedulable} turns true at most once);
 *   <li>no DaemonSet pod is deleted while its Node is still there: a drain leaves them, and they go
 *       with their Node.
 * </ul>
 *
 * <p>Each informer calls back on a thread of its own; every callback holds this object's lock, so
 * the checks see one change at a time, in the order the API server sent them per kind.
 */
final class RolloutWatch implements AutoCloseable {
  /** Something seen, and when. */
  record Seen(Instant at, String what) {
    @Override
    public String toString() {
      return at + " " + what;
    }
  }

  private final KubernetesClient client;
  private final int nodeFloor;
  private final Map<String, Integer> podFloors;
  private final Map<String, Node> nodes = new HashMap<>();
  private final Map<String, Pod> pods = new HashMap<>();
  private final Map<String, Integer> cordons = new TreeMap<>();
  private final Map<String, Instant> cordonedAt = new HashMap<>();
  private final Map<String, Instant> deletedAt = new HashMap<>();
  private final List<Seen> seen = new ArrayList<>();
  private final List<Seen> breaches = new ArrayList<>();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private Instant firstNodeChange;
  private Instant lastNodeChange;
  private int fewestNodes = Integer.MAX_VALUE;
  private final Map<String, Integer> fewestPods = new TreeMap<>();
  private boolean armed;

  /**
   * Watches the Nodes of {@code pool} of cluster {@code clusterName} and, when {@code namespace} is
   * not null, that namespace's Pods; checks nothing until the watches have seen what exists.
   *
   * @param nodeFloor the fewest Ready, schedulable Nodes the pool may have; 0 to not check
   * @param podFloors the fewest Ready pods of each Deployment, by its {@code app} label
   */
  static RolloutWatch start(
      KubernetesClient client,
      String clusterName,
      String pool,
      String namespace,
      int nodeFloor,
      Map<String, Integer> podFloors) {
    RolloutWatch watch = new RolloutWatch(client, nodeFloor, podFloors);
    SharedIndexInformer<Node> nodeInformer =
        client
            .nodes()
            .withLabel(NodeActivities.CLUSTER_LABEL, clusterName)
            .withLabel(NodeActivities.POOL_LABEL, pool)
            .inform(watch.handler(watch::node));
    watch.informers.add(nodeInformer);
    SharedIndexInformer<Pod> podInformer = null;
    if (namespace != null) {
      podInformer = client.pods().inNamespace(namespace).inform(watch.handler(watch::pod));
      watch.informers.add(podInformer);
    }
    SharedIndexInformer<Pod> podsSeen = podInformer;
    // The informers' first listing reaches the callbacks a moment after inform returns.
    Eventually.await(
        "the watch to have seen every node and pod",
        () -> watch.caughtUp(nodeInformer, podsSeen),
        caughtUp -> caughtUp);
    watch.arm();
    return watch;
  }

  private RolloutWatch(KubernetesClient client, int nodeFloor, Map<String, Integer> podFloors) {
    this.client = client;
    this.nodeFloor = nodeFloor;
    this.podFloors = Map.copyOf(podFloors);
  }

  /** The breaches seen, in order; empty when the rollout kept its promises. */
  synchronized List<Seen> breaches() {
    return List.copyOf(breaches);
  }

  /** Every change seen, in order. */
  synchronized List<Seen> seen() {
    return List.copyOf(seen);
  }

  /** How many times each Node seen was cordoned (turned unschedulable) while watched. */
  synchronized Map<String, Integer> cordons() {
    return Map.copyOf(cordons);
  }

  /** The fewest Ready, schedulable Nodes of the pool at any moment while watched. */
  synchronized int fewestReadyNodes() {
    return fewestNodes;
  }

  /** The fewest Ready pods of each watched Deployment at any moment while watched. */
  synchronized Map<String, Integer> fewestReadyPods() {
    return Map.copyOf(fewestPods);
  }

  /** For each Node cordoned and then deleted while watched: how long that took. */
  synchronized Map<String, Duration> cordonToGone() {
    Map<String, Duration> took = new TreeMap<>();
    cordonedAt.forEach(
        (node, at) -> {
          Instant gone = deletedAt.get(node);
          if (gone != null) {
            took.put(node, Duration.between(at, gone));
          }
        });
    return took;
  }

  /**
   * From the first to the last time a Node of the pool came, went, was cordoned or initialized
   * while watched: how long the pool itself was changing; zero when it never did.
   */
  synchronized Duration nodesChanging() {
    return firstNodeChange == null
        ? Duration.ZERO
        : Duration.between(firstNodeChange, lastNodeChange);
  }

  /** The breaches, then the last {@code lines} changes seen: for a failure's message. */
  synchronized String report(int lines) {
    List<Seen> tail = seen.subList(Math.max(0, seen.size() - lines), seen.size());
    return "breaches:\n"
        + breaches.stream().map(Seen::toString).collect(Collectors.joining("\n"))
        + "\nthe last "
        + tail.size()
        + " of "
        + seen.size()
        + " changes seen:\n"
        + tail.stream().map(Seen::toString).collect(Collectors.joining("\n"));
  }

  @Override
  public void close() {
    for (SharedIndexInformer<?> informer : informers) {
      informer.close();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private synchronized boolean caughtUp(
      SharedIndexInformer<Node> nodeInformer, SharedIndexInformer<Pod> podInformer) {
    return nodeInformer.hasSynced()
        && nodes.size() == nodeInformer.getIndexer().list().size()
        && (podInformer == null
            || (podInformer.hasSynced() && pods.size() == podInformer.getIndexer().list().size()));
  }

  private synchronized void arm() {
    armed = true;
    record("watching " + nodes.size() + " nodes and " + pods.size() + " pods");
    checkNodes();
    checkPods();
  }

  /** Calls {@code change} with (before, after): null before for an add, null after for a delete. */
  private <T extends HasMetadata> ResourceEventHandler<T> handler(BiConsumer<T, T> change) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T object) {
        change.accept(null, object);
      }

      @Override
      public void onUpdate(T before, T after) {
        change.accept(before, after);
      }

      @Override
      public void onDelete(T object, boolean finalStateUnknown) {
        change.accept(object, null);
      }
    };
  }

  private synchronized void node(Node before, Node after) {
    String name = (after == null ? before : after).getMetadata().getName();
    // A Node's heartbeats change it every few seconds; what the rollout does is add, cordon,
    // delete.
    if (armed
        && (before == null
            || after == null
            || cordoned(before) != cordoned(after)
            || initialized(before) != initialized(after))) {
      lastNodeChange = Instant.now();
      firstNodeChange = firstNodeChange == null ? lastNodeChange : firstNodeChange;
    }
    if (after == null) {
      nodes.remove(name);
      deletedAt.put(name, Instant.now());
      record("node " + name + " deleted");
    } else {
      nodes.put(name, after);
      boolean wasCordoned = before != null && cordoned(before);
      if (armed && cordoned(after) && !wasCordoned) {
        int count = cordons.merge(name, 1, Integer::sum);
        cordonedAt.putIfAbsent(name, Instant.now());
        if (count > 1) {
          breach("node " + name + " cordoned a " + count + ". time");
        }
      }
      record(
          "node "
              + name
              + (before == null ? " added" : "")
              + ": ready="
              + ready(after)
              + " cordoned="
              + cordoned(after)
              + " initialized="
              + initialized(after));
    }
    if (armed) {
      checkNodes();
    }
  }

  private synchronized void pod(Pod before, Pod after) {
    Pod pod = after == null ? before : after;
    String name = pod.getMetadata().getName();
    String node = pod.getSpec().getNodeName();
    boolean leaving =
        after == null
            || (after.getMetadata().getDeletionTimestamp() != null
                && (before == null || before.getMetadata().getDeletionTimestamp() == null));
    if (after == null) {
      pods.remove(pod.getMetadata().getUid());
    } else {
      pods.put(pod.getMetadata().getUid(), after);
    }
    record(
        "pod "
            + name
            + " on "
            + node
            + (after == null
                ? " deleted"
                : ": ready=" + ready(after) + " terminating=" + terminating(after)));
    if (armed && leaving && ownedBy(pod, "DaemonSet") && node != null) {
      // The informer of Nodes may not have seen the Node's deletion yet: ask the API server.
      if (client.nodes().withName(node).get() != null) {
        breach("DaemonSet pod " + name + " deleted while its node " + node + " is still there");
      }
    }
    if (armed) {
      checkPods();
    }
  }

  private void checkNodes() {
    if (nodeFloor <= 0) {
      return;
    }
    int available =
        (int)
            nodes.values().stream().filter(n -> ready(n) && !cordoned(n) && initialized(n)).count();
    fewestNodes = Math.min(fewestNodes, available);
    if (available < nodeFloor) {
      breach(
          "only "
              + available
              + " Ready, schedulable nodes (at least "
              + nodeFloor
              + " promised): "
              + new TreeMap<>(nodes).keySet());
    }
  }

  private void checkPods() {
    Map<String, Integer> ready = new LinkedHashMap<>();
    podFloors.keySet().forEach(app -> ready.put(app, 0));
    for (Pod pod : pods.values()) {
      String app =
          pod.getMetadata().getLabels() == null ? null : pod.getMetadata().getLabels().get("app");
      if (app != null && ready.containsKey(app) && ready(pod) && !terminating(pod)) {
        ready.merge(app, 1, Integer::sum);
      }
    }
    ready.forEach(
        (app, count) -> {
          fewestPods.merge(app, count, Math::min);
          if (count < podFloors.get(app)) {
            breach(
                "Deployment "
                    + app
                    + " has "
                    + count
                    + " Ready pods (at least "
                    + podFloors.get(app)
                    + " promised)");
          }
        });
  }

  private void record(String what) {
    seen.add(new Seen(Instant.now(), what));
  }

  private void breach(String what) {
    Seen breach = new Seen(Instant.now(), what);
    breaches.add(breach);
    seen.add(new Seen(breach.at(), "BREACH " + what));
  }

  private static boolean ready(Node node) {
    return node.getStatus() != null
        && node.getStatus().getConditions() != null
        && node.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean cordoned(Node node) {
    return Boolean.TRUE.equals(node.getSpec().getUnschedulable());
  }

  private static boolean initialized(Node node) {
    return node.getSpec().getTaints() == null
        || node.getSpec().getTaints().stream()
            .noneMatch(t -> NodeActivities.UNINITIALIZED_TAINT.equals(t.getKey()));
  }

  private static boolean ready(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private static boolean terminating(Pod pod) {
    return pod.getMetadata().getDeletionTimestamp() != null;
  }

  private static boolean ownedBy(Pod pod, String kind) {
    List<OwnerReference> owners = pod.getMetadata().getOwnerReferences();
    return owners != null && owners.stream().anyMatch(o -> kind.equals(o.getKind()));
  }
}
