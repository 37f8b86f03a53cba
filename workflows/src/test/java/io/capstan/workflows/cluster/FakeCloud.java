package io.capstan.workflows.cluster;

import io.capstan.definitions.cluster.Taint;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.awaitility.Awaitility;

/**
 * An in-memory cloud and Kubernetes for the cluster workflow's time-skipping tests: groups with
 * instances that are in service at once, a node per instance (Ready unless its pool is told never
 * to be), the pool's labels and taints as applied, a load the test sets, and a log of every call.
 * The end-to-end tests run the real activities against moto and the local control plane.
 */
public final class FakeCloud implements CloudActivities, NodeActivities, AlertActivities {
  /** A group as the fake holds it. */
  public static final class Group {
    public final String cluster;
    public final String pool;
    public int min;
    public int desired;
    public int max;
    public final List<String> instances = new ArrayList<>();
    public String version = "1";
    public final Map<String, String> versions = new LinkedHashMap<>();

    Group(String cluster, String pool, int min, int desired, int max) {
      this.cluster = cluster;
      this.pool = pool;
      this.min = min;
      this.desired = desired;
      this.max = max;
    }
  }

  /** A node as the fake holds it. */
  public static final class FakeNode {
    public final String name;
    public final String instanceId;
    public final String pool;
    public final Map<String, String> labels = new LinkedHashMap<>();
    public final List<Taint> taints = new ArrayList<>();
    public boolean ready;
    public boolean cordoned;
    public long requestedCpuMilli;
    public int requestedGpus;
    public int pods;

    FakeNode(String name, String instanceId, String pool, boolean ready) {
      this.name = name;
      this.instanceId = instanceId;
      this.pool = pool;
      this.ready = ready;
    }
  }

  public final Map<String, Group> groups = new LinkedHashMap<>();
  public final Map<String, FakeNode> nodes = new LinkedHashMap<>();
  public final List<String> calls = new ArrayList<>();
  public final List<Map<String, Object>> webhooks = new ArrayList<>();
  public final Set<String> neverReadyPools = new HashSet<>();
  public final Set<String> undrainable = new HashSet<>();
  public List<ClusterLoad.PendingPod> pending = new ArrayList<>();

  /** Nodes whose drain passes return with a PDB refusal until their pods are deleted. */
  public final Set<String> pdbBlocked = new HashSet<>();

  /** Pools whose new instances (from the next launch on) never become Ready nodes. */
  public final Set<String> neverReadyVersions = new HashSet<>();

  /**
   * The fewest Ready, schedulable nodes each pool had after any change, and the most instances its
   * group had: what a rollout's invariants are checked against.
   */
  public final Map<String, Integer> leastAvailable = new LinkedHashMap<>();

  public final Map<String, Integer> mostInstances = new LinkedHashMap<>();

  /**
   * How many instances launched on a version other than 1 become Ready; after that they never do.
   * Negative for no limit.
   */
  public int goodLaunches = -1;

  private int nextInstance = 1;

  public synchronized void reset() {
    groups.clear();
    nodes.clear();
    calls.clear();
    webhooks.clear();
    neverReadyPools.clear();
    undrainable.clear();
    pdbBlocked.clear();
    neverReadyVersions.clear();
    leastAvailable.clear();
    goodLaunches = -1;
    mostInstances.clear();
    pending = new ArrayList<>();
  }

  @Override
  public synchronized GroupState ensureGroup(EnsureGroupRequest request) {
    String name = request.cluster().groupName(request.pool().name());
    calls.add("ensureGroup " + name);
    Group group = groups.get(name);
    if (group != null) {
      return state(name, group, false);
    }
    group =
        new Group(
            request.cluster().key(),
            request.pool().name(),
            request.pool().minSize(),
            request.desired(),
            request.pool().maxSize());
    groups.put(name, group);
    grow(group);
    return state(name, group, true);
  }

  @Override
  public synchronized GroupState awaitInService(AwaitInServiceRequest request) {
    calls.add("awaitInService " + request.groupName());
    return state(request.groupName(), groups.get(request.groupName()), false);
  }

  @Override
  public synchronized GroupState resize(ResizeRequest request) {
    calls.add(
        "resize "
            + request.groupName()
            + " "
            + request.min()
            + "/"
            + request.desired()
            + "/"
            + request.max());
    Group group = groups.get(request.groupName());
    if (request.desired() < request.min() || request.desired() > request.max()) {
      throw ApplicationFailure.newNonRetryableFailure("desired outside bounds", INVALID_REQUEST);
    }
    group.min = request.min();
    group.max = request.max();
    group.desired = request.desired();
    grow(group);
    while (group.instances.size() > group.desired) {
      String gone = group.instances.remove(group.instances.size() - 1);
      nodes.remove(nodeName(gone));
    }
    return state(request.groupName(), group, false);
  }

  @Override
  public synchronized GroupState describe(GroupRequest request) {
    Group group = groups.get(request.groupName());
    return group == null ? null : state(request.groupName(), group, false);
  }

  @Override
  public synchronized boolean terminateInstance(TerminateRequest request) {
    calls.add("terminate " + request.instanceId());
    Group group = groups.get(request.groupName());
    if (group == null || !group.instances.remove(request.instanceId())) {
      return false;
    }
    nodes.remove(nodeName(request.instanceId()));
    if (request.decrement()) {
      group.desired--;
    } else {
      grow(group);
    }
    observe(group.pool);
    return true;
  }

  @Override
  public synchronized boolean deleteGroup(GroupRequest request) {
    calls.add("deleteGroup " + request.groupName());
    Group group = groups.remove(request.groupName());
    if (group == null) {
      return false;
    }
    group.instances.forEach(i -> nodes.remove(nodeName(i)));
    return true;
  }

  @Override
  public InstanceTypeInfo instanceType(String instanceType) {
    return switch (instanceType) {
      case "p4d.24xlarge" -> new InstanceTypeInfo(instanceType, 96, 1179648, 8, 32.77, 9.83, true);
      case "m5.large" -> new InstanceTypeInfo(instanceType, 2, 8192, 0, 0.096, 0.035, true);
      default -> new InstanceTypeInfo(instanceType, 2, 8192, 0, 0.10, 0.03, false);
    };
  }

  @Override
  public List<NodeView> awaitNodes(AwaitNodesRequest request) {
    if (neverReadyPools.contains(request.pool())) {
      // A pool that fails answers once every other pool is configured, as a real one would after
      // its deadline: the in-process test server mishandles a cancel that crosses an activity's
      // completion, so the test must not make one race.
      Awaitility.await("the other pools to be configured")
          .atMost(Duration.ofSeconds(30))
          .until(() -> otherPoolsConfigured(request.pool()));
    }
    synchronized (this) {
      return foundNodes(request);
    }
  }

  /** Whether some healthy pool exists and every one that does has its nodes configured. */
  private synchronized boolean otherPoolsConfigured(String failing) {
    List<String> healthy =
        groups.values().stream()
            .map(g -> g.pool)
            .filter(pool -> !pool.equals(failing) && !neverReadyPools.contains(pool))
            .toList();
    return !healthy.isEmpty()
        && healthy.stream()
            .allMatch(
                pool -> calls.stream().anyMatch(c -> c.startsWith("configureNodes " + pool + " ")));
  }

  private List<NodeView> foundNodes(AwaitNodesRequest request) {
    calls.add("awaitNodes " + request.pool());
    List<NodeView> found = new ArrayList<>();
    for (String providerId : request.providerIds()) {
      FakeNode node = nodes.get(nodeName(providerId.substring(providerId.lastIndexOf('/') + 1)));
      if (node != null) {
        found.add(view(node));
      }
    }
    return found;
  }

  @Override
  public synchronized List<NodeView> configureNodes(ConfigureNodesRequest request) {
    calls.add("configureNodes " + request.pool() + " " + request.nodes());
    List<NodeView> views = new ArrayList<>();
    for (String name : request.nodes()) {
      FakeNode node = nodes.get(name);
      node.labels.putAll(request.labels());
      node.labels.put(POOL_LABEL, request.pool());
      node.taints.clear();
      node.taints.addAll(request.taints());
      views.add(view(node));
    }
    return views;
  }

  @Override
  public synchronized ClusterLoad load(ClusterRef cluster) {
    List<ClusterLoad.NodeLoad> loads = new ArrayList<>();
    for (FakeNode node : nodes.values()) {
      InstanceTypeInfo type = instanceType(typeOf(node.pool));
      loads.add(
          new ClusterLoad.NodeLoad(
              node.name,
              node.pool,
              node.instanceId,
              node.ready,
              !node.cordoned,
              type.vcpus() * 1000L,
              type.gpus(),
              node.requestedCpuMilli,
              node.requestedGpus,
              node.pods));
    }
    return new ClusterLoad(loads, pending);
  }

  @Override
  public synchronized DrainResult drain(DrainRequest request) {
    calls.add("drain " + request.node());
    FakeNode node = nodes.get(request.node());
    if (node == null) {
      return new DrainResult(request.node(), 0, List.of(), null);
    }
    node.cordoned = true;
    if (undrainable.contains(request.node())) {
      return new DrainResult(
          request.node(),
          0,
          List.of("default/web-0"),
          "pod default/web-0 blocked by PodDisruptionBudget web");
    }
    int evicted = node.pods;
    node.pods = 0;
    return new DrainResult(request.node(), evicted, List.of(), null);
  }

  @Override
  public synchronized void uncordon(ClusterRef cluster, String node) {
    calls.add("uncordon " + node);
    FakeNode fake = nodes.get(node);
    if (fake != null) {
      fake.cordoned = false;
    }
  }

  @Override
  public synchronized List<String> deleteNodes(DeleteNodesRequest request) {
    calls.add("deleteNodes " + request.pool() + " " + request.nodes());
    List<String> deleted = new ArrayList<>();
    for (FakeNode node : List.copyOf(nodes.values())) {
      boolean chosen =
          request.nodes() != null
              ? request.nodes().contains(node.name)
              : request.pool() == null || request.pool().equals(node.pool);
      if (chosen) {
        nodes.remove(node.name);
        deleted.add(node.name);
      }
    }
    return deleted;
  }

  @Override
  public synchronized void postWebhook(String url, Map<String, Object> body) {
    webhooks.add(body);
  }

  public synchronized List<FakeNode> nodesOf(String pool) {
    return nodes.values().stream().filter(n -> n.pool.equals(pool)).toList();
  }

  /** The instance type of a pool, as the tests name pools. */
  private static String typeOf(String pool) {
    return pool.startsWith("gpu") ? "p4d.24xlarge" : "m5.large";
  }

  private void grow(Group group) {
    while (group.instances.size() < group.desired) {
      String id = String.format("i-%017d", nextInstance++);
      group.instances.add(id);
      group.versions.put(id, group.version);
      boolean ready =
          !neverReadyPools.contains(group.pool)
              && !neverReadyVersions.contains(group.pool + "@" + group.version);
      if (ready && !"1".equals(group.version) && goodLaunches >= 0) {
        ready = goodLaunches > 0;
        goodLaunches = Math.max(0, goodLaunches - 1);
      }
      nodes.put(nodeName(id), new FakeNode(nodeName(id), id, group.pool, ready));
    }
    observe(group.pool);
  }

  /** Records the pool's Ready, schedulable nodes and instances after a change. */
  private void observe(String pool) {
    int available = (int) nodesOf(pool).stream().filter(n -> n.ready && !n.cordoned).count();
    leastAvailable.merge(pool, available, Math::min);
    int instances =
        groups.values().stream()
            .filter(g -> g.pool.equals(pool))
            .mapToInt(g -> g.instances.size())
            .sum();
    mostInstances.merge(pool, instances, Math::max);
  }

  @Override
  public synchronized GroupState setLaunchTemplate(SetLaunchTemplateRequest request) {
    calls.add("setLaunchTemplate " + request.groupName() + " " + request.version());
    Group group = groups.get(request.groupName());
    group.version = request.version();
    return state(request.groupName(), group, false);
  }

  @Override
  public synchronized boolean cordon(ClusterRef cluster, String node) {
    calls.add("cordon " + node);
    FakeNode fake = nodes.get(node);
    if (fake == null || fake.cordoned) {
      return false;
    }
    fake.cordoned = true;
    observe(fake.pool);
    return true;
  }

  @Override
  public synchronized DrainPass drainPass(DrainPassRequest request) {
    calls.add("drainPass " + request.node());
    FakeNode node = nodes.get(request.node());
    if (node == null) {
      return new DrainPass(request.node(), true, 0, List.of(), List.of(), Map.of(), 0);
    }
    if (pdbBlocked.contains(request.node())) {
      String pod = "default/web-" + request.node();
      return new DrainPass(
          request.node(),
          false,
          0,
          List.of(pod),
          List.of(
              new PodBlock(
                  pod,
                  BlockReason.PDB,
                  "web-pdb",
                  0,
                  "pod " + pod + " blocked by PDB web-pdb, 0 disruptions allowed")),
          Map.of(),
          1);
    }
    int evicted = node.pods;
    node.pods = 0;
    return new DrainPass(request.node(), true, evicted, List.of(), List.of(), Map.of(), 0);
  }

  @Override
  public synchronized List<String> deletePods(DeletePodsRequest request) {
    calls.add("deletePods " + request.node() + " " + request.pods().keySet());
    pdbBlocked.remove(request.node());
    return List.copyOf(request.pods().keySet());
  }

  private static String nodeName(String instanceId) {
    return "node-" + instanceId;
  }

  private NodeView view(FakeNode node) {
    return new NodeView(
        node.name,
        "aws:///us-west-2a/" + node.instanceId,
        node.ready,
        !node.cordoned,
        node.ready ? null : "Ready=False: container runtime network not ready");
  }

  private GroupState state(String name, Group group, boolean created) {
    List<CloudInstance> instances = new ArrayList<>();
    for (String id : group.instances) {
      instances.add(
          new CloudInstance(
              id,
              "us-west-2a",
              typeOf(group.pool),
              "InService",
              "Healthy",
              group.versions.getOrDefault(id, "1"),
              null));
    }
    return new GroupState(name, created, group.min, group.desired, group.max, instances);
  }
}
