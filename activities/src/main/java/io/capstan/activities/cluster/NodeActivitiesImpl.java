package io.capstan.activities.cluster;

import io.capstan.definitions.cluster.Taint;
import io.capstan.workflows.cluster.ClusterLoad;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.NodeActivities;
import io.capstan.workflows.cluster.NodeView;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeActivities} through fabric8: a cluster's nodes are found by the providerIDs of its
 * instances, then labelled {@code capstan.io/cluster}, {@code capstan.io/cluster-namespace} and
 * {@code capstan.io/pool} with the pool's labels, and given the pool's taints. The taints Capstan
 * set are remembered in an annotation, so a later change replaces exactly those and leaves taints
 * others set (the node lifecycle controller's, an operator's) alone. Drains go through the eviction
 * API ({@link NodeDrain}), so PodDisruptionBudgets hold; a pod is deleted only when the caller asks
 * for it by name ({@link #deletePods}).
 *
 * <p>The clients should have fabric8's own HTTP retries off ({@code KubeClients} does so): with
 * them, a refused eviction takes some 20 s to come back as {@code false}, longer than a pass.
 */
public final class NodeActivitiesImpl implements NodeActivities {
  /** The taints Capstan set on a node, as {@code key=value:Effect,...}. */
  static final String TAINTS_ANNOTATION = "capstan.io/pool-taints";

  /** The failure type of a request this activity cannot carry out as given. */
  static final String INVALID_REQUEST = "NodeInvalidRequest";

  /** How often a write conditional on what was read is tried again after a 409. */
  private static final int CONFLICT_ATTEMPTS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(NodeActivitiesImpl.class);

  private final Function<ClusterRef, KubernetesClient> clients;
  private final Duration pollInterval;

  /**
   * @param clients the Kubernetes client of a cluster (its {@code kubernetes.context}, or the
   *     worker's own cluster)
   */
  public NodeActivitiesImpl(Function<ClusterRef, KubernetesClient> clients, Duration pollInterval) {
    this.clients = clients;
    this.pollInterval = pollInterval;
  }

  @Override
  public List<NodeView> awaitNodes(AwaitNodesRequest request) {
    KubernetesClient client = clients.apply(request.cluster());
    Set<String> wanted = new TreeSet<>(request.providerIds());
    while (true) {
      List<NodeView> found = new ArrayList<>();
      for (Node node : client.nodes().list().getItems()) {
        String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
        if (providerId != null && wanted.contains(providerId)) {
          found.add(view(node));
        }
      }
      long ready = found.stream().filter(NodeView::ready).count();
      Activity.getExecutionContext()
          .heartbeat(ready + " of " + wanted.size() + " nodes of " + request.pool() + " Ready");
      if (ready >= wanted.size() || System.currentTimeMillis() >= request.deadlineMillis()) {
        return found;
      }
      pause();
    }
  }

  @Override
  public List<NodeView> configureNodes(ConfigureNodesRequest request) {
    KubernetesClient client = clients.apply(request.cluster());
    ClusterRef cluster = request.cluster();
    List<NodeView> configured = new ArrayList<>();
    for (String name : request.nodes()) {
      Node node =
          client
              .nodes()
              .withName(name)
              .edit(
                  n -> {
                    Map<String, String> labels =
                        new LinkedHashMap<>(orEmpty(n.getMetadata().getLabels()));
                    labels.putAll(request.labels());
                    labels.put(CLUSTER_LABEL, cluster.name());
                    labels.put(CLUSTER_NAMESPACE_LABEL, cluster.namespace());
                    labels.put(POOL_LABEL, request.pool());
                    n.getMetadata().setLabels(labels);
                    Map<String, String> annotations =
                        new LinkedHashMap<>(orEmpty(n.getMetadata().getAnnotations()));
                    Set<String> before = new TreeSet<>();
                    String was = annotations.get(TAINTS_ANNOTATION);
                    if (was != null && !was.isEmpty()) {
                      before.addAll(List.of(was.split(",")));
                    }
                    List<io.fabric8.kubernetes.api.model.Taint> taints = new ArrayList<>();
                    if (n.getSpec().getTaints() != null) {
                      for (var taint : n.getSpec().getTaints()) {
                        if (!UNINITIALIZED_TAINT.equals(taint.getKey())
                            && !before.contains(
                                text(taint.getKey(), taint.getValue(), taint.getEffect()))) {
                          taints.add(taint);
                        }
                      }
                    }
                    List<String> mine = new ArrayList<>();
                    for (Taint taint : request.taints()) {
                      String effect = taint.effect().wireName();
                      taints.removeIf(
                          t -> t.getKey().equals(taint.key()) && effect.equals(t.getEffect()));
                      taints.add(
                          new TaintBuilder()
                              .withKey(taint.key())
                              .withValue(taint.value())
                              .withEffect(effect)
                              .build());
                      mine.add(text(taint.key(), taint.value(), effect));
                    }
                    n.getSpec().setTaints(taints);
                    annotations.put(TAINTS_ANNOTATION, String.join(",", mine));
                    n.getMetadata().setAnnotations(annotations);
                    return n;
                  });
      configured.add(view(node));
    }
    LOG.info("configured {} nodes of {} pool {}", configured.size(), cluster.key(), request.pool());
    return configured;
  }

  @Override
  public ClusterLoad load(ClusterRef cluster) {
    KubernetesClient client = clients.apply(cluster);
    List<Node> nodes =
        client
            .nodes()
            .withLabel(CLUSTER_LABEL, cluster.name())
            .withLabel(CLUSTER_NAMESPACE_LABEL, cluster.namespace())
            .list()
            .getItems();
    Map<String, long[]> requested = new HashMap<>();
    Map<String, Integer> movable = new HashMap<>();
    List<ClusterLoad.PendingPod> pending = new ArrayList<>();
    for (Pod pod : client.pods().inAnyNamespace().list().getItems()) {
      String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
        continue;
      }
      long cpu = cpuMilli(pod);
      int gpus = gpus(pod);
      String nodeName = pod.getSpec().getNodeName();
      if (nodeName != null && !nodeName.isEmpty()) {
        long[] sums = requested.computeIfAbsent(nodeName, n -> new long[2]);
        sums[0] += cpu;
        sums[1] += gpus;
        if (!DrainFilter.daemonOrMirror(pod)) {
          movable.merge(nodeName, 1, Integer::sum);
        }
      } else if (unschedulable(pod)) {
        pending.add(
            new ClusterLoad.PendingPod(
                pod.getMetadata().getNamespace(),
                pod.getMetadata().getName(),
                cpu,
                gpus,
                orEmpty(pod.getSpec().getNodeSelector()),
                pod.getSpec().getTolerations() == null
                    ? List.of()
                    : pod.getSpec().getTolerations().stream()
                        .map(
                            t ->
                                new ClusterLoad.Toleration(
                                    t.getKey(), t.getOperator(), t.getValue(), t.getEffect()))
                        .toList()));
      }
    }
    List<ClusterLoad.NodeLoad> loads = new ArrayList<>();
    for (Node node : nodes) {
      String name = node.getMetadata().getName();
      long[] sums = requested.getOrDefault(name, new long[2]);
      Map<String, Quantity> allocatable =
          node.getStatus() == null ? Map.of() : orEmpty(node.getStatus().getAllocatable());
      NodeView view = view(node);
      loads.add(
          new ClusterLoad.NodeLoad(
              name,
              orEmpty(node.getMetadata().getLabels()).get(POOL_LABEL),
              view.instanceId(),
              view.ready(),
              view.schedulable(),
              milli(allocatable.get("cpu")),
              (int) whole(allocatable.get("nvidia.com/gpu")),
              sums[0],
              (int) sums[1],
              movable.getOrDefault(name, 0)));
    }
    return new ClusterLoad(loads, pending);
  }

  @Override
  public DrainResult drain(DrainRequest request) {
    KubernetesClient client = clients.apply(request.cluster());
    String node = request.node();
    if (client.nodes().withName(node).get() == null) {
      return new DrainResult(node, 0, List.of(), null);
    }
    client
        .nodes()
        .withName(node)
        .edit(
            n -> {
              n.getSpec().setUnschedulable(true);
              return n;
            });
    long deadline = System.currentTimeMillis() + request.timeoutMillis();
    Map<String, String> evictedUids = new HashMap<>();
    String blockedBy = null;
    while (true) {
      List<Pod> pods =
          client.pods().inAnyNamespace().withField("spec.nodeName", node).list().getItems().stream()
              .filter(p -> !DrainFilter.stays(p))
              .toList();
      // A pod whose UID changed is a new pod of the same name (a StatefulSet's): the old one left.
      List<Pod> remaining =
          pods.stream()
              .filter(
                  p -> {
                    String key = key(p);
                    String uid = evictedUids.get(key);
                    return uid == null || uid.equals(p.getMetadata().getUid());
                  })
              .toList();
      if (remaining.isEmpty()) {
        return new DrainResult(node, evictedUids.size(), List.of(), null);
      }
      if (System.currentTimeMillis() >= deadline) {
        return new DrainResult(
            node,
            evictedUids.size(),
            remaining.stream().map(NodeActivitiesImpl::key).toList(),
            blockedBy);
      }
      for (Pod pod : remaining) {
        if (pod.getMetadata().getDeletionTimestamp() != null) {
          continue;
        }
        switch (NodeDrain.evict(client, pod)) {
          case ACCEPTED -> evictedUids.put(key(pod), pod.getMetadata().getUid());
          case REFUSED, SEVERAL_BUDGETS -> blockedBy = budgetOf(client, pod);
          case GONE, CHANGED, NAMESPACE_TERMINATING -> {}
        }
      }
      Activity.getExecutionContext()
          .heartbeat("draining " + node + ": " + remaining.size() + " pods left");
      pause();
    }
  }

  @Override
  public boolean cordon(ClusterRef cluster, String node) {
    KubernetesClient client = clients.apply(cluster);
    for (int attempt = 1; ; attempt++) {
      Node current = client.nodes().withName(node).get();
      if (current == null || Boolean.TRUE.equals(current.getSpec().getUnschedulable())) {
        return false;
      }
      // The resourceVersion makes the patch conditional: whoever else cordons the node at the same
      // moment, exactly one of us is told it changed the node.
      String patch =
          "{\"metadata\":{\"resourceVersion\":\""
              + current.getMetadata().getResourceVersion()
              + "\"},\"spec\":{\"unschedulable\":true}}";
      try {
        client.nodes().withName(node).patch(PatchContext.of(PatchType.JSON_MERGE), patch);
        LOG.info("cordoned node {} of {}", node, cluster.key());
        return true;
      } catch (KubernetesClientException e) {
        // A conflict is someone else's change in between (the attempt reads it); past a few,
        // Temporal's retry takes over.
        if ((e.getCode() != 409 && e.getCode() != 404) || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public DrainPass drainPass(DrainPassRequest request) {
    return new NodeDrain(
            clients.apply(request.cluster()),
            pollInterval,
            System::currentTimeMillis,
            detail -> Activity.getExecutionContext().heartbeat(detail),
            this::pause)
        .run(request);
  }

  @Override
  public List<String> deletePods(DeletePodsRequest request) {
    KubernetesClient client = clients.apply(request.cluster());
    List<String> deleted = new ArrayList<>();
    for (Map.Entry<String, String> named : new TreeMap<>(request.pods()).entrySet()) {
      String[] parts = named.getKey().split("/", 2);
      if (parts.length != 2) {
        throw ApplicationFailure.newNonRetryableFailure(
            "pod " + named.getKey() + " is not namespace/name", INVALID_REQUEST);
      }
      if (deletePod(client, parts[0], parts[1], named.getValue(), request.node())) {
        deleted.add(named.getKey());
      }
    }
    if (!deleted.isEmpty()) {
      LOG.info(
          "deleted pods {} of node {} of {}", deleted, request.node(), request.cluster().key());
    }
    return deleted;
  }

  /**
   * Deletes the pod if it is still the one meant (that UID, when given, on that node), with its own
   * grace period; the resourceVersion read is the delete's precondition, so a pod that took the
   * name meanwhile is never the one deleted.
   */
  private static boolean deletePod(
      KubernetesClient client, String namespace, String name, String uid, String node) {
    for (int attempt = 1; ; attempt++) {
      Pod pod = client.pods().inNamespace(namespace).withName(name).get();
      if (pod == null
          || (uid != null && !uid.equals(pod.getMetadata().getUid()))
          || (node != null && !node.equals(pod.getSpec().getNodeName()))) {
        return false;
      }
      try {
        return !client
            .pods()
            .inNamespace(namespace)
            .withName(name)
            .lockResourceVersion(pod.getMetadata().getResourceVersion())
            .delete()
            .isEmpty();
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return false;
        }
        if (e.getCode() != 409 || attempt >= CONFLICT_ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  @Override
  public void uncordon(ClusterRef cluster, String node) {
    KubernetesClient client = clients.apply(cluster);
    if (client.nodes().withName(node).get() != null) {
      client
          .nodes()
          .withName(node)
          .edit(
              n -> {
                n.getSpec().setUnschedulable(false);
                return n;
              });
    }
  }

  @Override
  public List<String> deleteNodes(DeleteNodesRequest request) {
    KubernetesClient client = clients.apply(request.cluster());
    ClusterRef cluster = request.cluster();
    List<String> names;
    if (request.nodes() != null) {
      names = request.nodes();
    } else {
      var selection =
          client
              .nodes()
              .withLabel(CLUSTER_LABEL, cluster.name())
              .withLabel(CLUSTER_NAMESPACE_LABEL, cluster.namespace());
      if (request.pool() != null) {
        selection = selection.withLabel(POOL_LABEL, request.pool());
      }
      names = selection.list().getItems().stream().map(n -> n.getMetadata().getName()).toList();
    }
    List<String> deleted = new ArrayList<>();
    for (String name : names) {
      if (!client.nodes().withName(name).delete().isEmpty()) {
        deleted.add(name);
      }
    }
    if (!deleted.isEmpty()) {
      LOG.info("deleted nodes {} of {}", deleted, cluster.key());
    }
    return deleted;
  }

  // ---------------------------------------------------------------------------------------------

  static NodeView view(Node node) {
    NodeCondition ready = null;
    if (node.getStatus() != null && node.getStatus().getConditions() != null) {
      for (NodeCondition condition : node.getStatus().getConditions()) {
        if ("Ready".equals(condition.getType())) {
          ready = condition;
        }
      }
    }
    boolean isReady = ready != null && "True".equals(ready.getStatus());
    String reason =
        isReady
            ? null
            : ready == null
                ? "no Ready condition yet (the kubelet has not reported)"
                : "Ready="
                    + ready.getStatus()
                    + (ready.getMessage() == null ? "" : ": " + ready.getMessage());
    boolean schedulable = !Boolean.TRUE.equals(node.getSpec().getUnschedulable());
    if (node.getSpec().getTaints() != null) {
      schedulable =
          schedulable
              && node.getSpec().getTaints().stream()
                  .noneMatch(t -> UNINITIALIZED_TAINT.equals(t.getKey()));
    }
    return new NodeView(
        node.getMetadata().getName(), node.getSpec().getProviderID(), isReady, schedulable, reason);
  }

  private static boolean unschedulable(Pod pod) {
    if (pod.getStatus() == null || pod.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition condition : pod.getStatus().getConditions()) {
      if ("PodScheduled".equals(condition.getType())
          && "False".equals(condition.getStatus())
          && "Unschedulable".equals(condition.getReason())) {
        return true;
      }
    }
    return false;
  }

  private static long cpuMilli(Pod pod) {
    long sum = 0;
    for (var container : pod.getSpec().getContainers()) {
      if (container.getResources() != null && container.getResources().getRequests() != null) {
        sum += milli(container.getResources().getRequests().get("cpu"));
      }
    }
    return sum;
  }

  private static int gpus(Pod pod) {
    long sum = 0;
    for (var container : pod.getSpec().getContainers()) {
      if (container.getResources() == null) {
        continue;
      }
      Map<String, Quantity> limits = orEmpty(container.getResources().getLimits());
      Map<String, Quantity> requests = orEmpty(container.getResources().getRequests());
      Quantity gpu = requests.getOrDefault("nvidia.com/gpu", limits.get("nvidia.com/gpu"));
      sum += whole(gpu);
    }
    return (int) sum;
  }

  private static long milli(Quantity quantity) {
    if (quantity == null) {
      return 0;
    }
    return Quantity.getAmountInBytes(quantity)
        .multiply(java.math.BigDecimal.valueOf(1000))
        .longValue();
  }

  private static long whole(Quantity quantity) {
    return quantity == null ? 0 : Quantity.getAmountInBytes(quantity).longValue();
  }

  private static String budgetOf(KubernetesClient client, Pod pod) {
    try {
      List<PodDisruptionBudget> selecting =
          PodBudgets.of(client, pod.getMetadata().getNamespace()).selecting(pod);
      if (selecting.size() > 1) {
        return "pod "
            + key(pod)
            + " is selected by "
            + selecting.size()
            + " PodDisruptionBudgets, which the API server cannot evict";
      }
      if (selecting.size() == 1) {
        PodDisruptionBudget pdb = selecting.get(0);
        Integer allowed = PodBudgets.disruptionsAllowed(pdb);
        return "pod "
            + key(pod)
            + " blocked by PodDisruptionBudget "
            + pdb.getMetadata().getName()
            + ", "
            + (allowed == null ? 0 : allowed)
            + " disruptions allowed";
      }
    } catch (KubernetesClientException e) {
      LOG.debug("could not list PodDisruptionBudgets: {}", e.getMessage());
    }
    return "pod " + key(pod) + ": a PodDisruptionBudget refused its eviction";
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  private static String text(String key, String value, String effect) {
    return key + "=" + (value == null ? "" : value) + ":" + effect;
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }

  private void pause() {
    pause(pollInterval.toMillis());
  }

  private void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
