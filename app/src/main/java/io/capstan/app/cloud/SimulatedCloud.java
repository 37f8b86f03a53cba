package io.capstan.app.cloud;

import io.capstan.activities.cloud.CloudActivitiesImpl;
import io.capstan.activities.kube.SimulatedPods;
import io.capstan.definitions.Durations;
import io.capstan.workflows.cluster.NodeActivities;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.DescribeAutoScalingGroupsRequest;
import software.amazon.awssdk.services.autoscaling.model.TagDescription;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GpuDeviceInfo;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceTypeInfo;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * What the kubelet and the cloud controller manager do for the machines of a real cluster, done for
 * moto's: a daemon thread that, every poll interval, links the InService instances of the Auto
 * Scaling groups tagged {@value #CLUSTER_TAG} ({@code NAMESPACE/NAME}) and {@value #POOL_TAG} to
 * Node objects of the local control plane, which kwok then runs.
 *
 * <p>Each such instance gets its Node once, after the group's {@value #BOOT_DELAY_TAG} counted from
 * when this component first saw it: named after its private DNS name, with the providerID {@code
 * aws:///ZONE/INSTANCE}, the well-known and Capstan labels, the {@value #UNINITIALIZED_TAINT} taint
 * (Capstan's cluster workflow lifts it when it applies the pool's own labels and taints), and the
 * capacity of its instance type as EC2 describes it. Creation ignores a Node that exists, so a
 * restart of this component does no harm. A Node whose instance is no longer InService or Pending
 * in any group is deleted, as the cloud node-lifecycle controller does; Nodes without the {@value
 * #CLUSTER_LABEL} label (the local cluster's own) are never touched.
 *
 * <p>Group tags inject failures: {@value #NEVER_BOOT_TAG}{@code =true} and {@value
 * #ZONES_OUT_OF_CAPACITY_TAG} (zones, comma-separated) keep Nodes from coming and mark the instance
 * with the EC2 tag {@value #FAILURE_TAG}, which Capstan reports when nodes do not come; {@value
 * #NEVER_READY_TAG} and {@value #READY_DELAY_TAG} pass on to kwok as Node annotations.
 *
 * <p>A pass that fails (moto or the API server briefly away) is logged and the next one tries
 * again. The clients belong to the caller: {@link #close()} stops the thread, not them.
 */
public final class SimulatedCloud implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedCloud.class);

  // The tags are the cloud activities' (which write them), the labels and taint the node
  // activities': one contract, named in one place.

  /** Group tag: the Capstan cluster, {@code NAMESPACE/NAME}. */
  public static final String CLUSTER_TAG = CloudActivitiesImpl.CLUSTER_TAG;

  /** Group tag: the cluster's pool the group serves. */
  public static final String POOL_TAG = CloudActivitiesImpl.POOL_TAG;

  /** Group tag: {@code true} for spot capacity. */
  public static final String SPOT_TAG = CloudActivitiesImpl.SPOT_TAG;

  /** Group tag: {@code nvidia.com/gpu} of each node, overriding the instance type's. */
  public static final String GPU_PER_NODE_TAG = CloudActivitiesImpl.GPU_TAG;

  /** Group tag: how long an instance boots before its Node registers ({@code 2s}, default 0). */
  public static final String BOOT_DELAY_TAG = CloudActivitiesImpl.BOOT_DELAY_TAG;

  /** Group tag: how long a Node takes to turn Ready once registered. */
  public static final String READY_DELAY_TAG = CloudActivitiesImpl.READY_DELAY_TAG;

  /** Group tag: {@code true} and its Nodes report Ready=False for good. */
  public static final String NEVER_READY_TAG = CloudActivitiesImpl.NEVER_READY_TAG;

  /** Group tag: {@code true} and its instances never register a Node. */
  public static final String NEVER_BOOT_TAG = CloudActivitiesImpl.NEVER_BOOT_TAG;

  /** Group tag: zones (comma-separated) whose instances never register a Node. */
  public static final String ZONES_OUT_OF_CAPACITY_TAG = CloudActivitiesImpl.NO_CAPACITY_TAG;

  /** Instance tag this component sets: why the instance has no Node. */
  public static final String FAILURE_TAG = CloudActivitiesImpl.FAILURE_TAG;

  /** Node label: the cluster's NAME. */
  public static final String CLUSTER_LABEL = NodeActivities.CLUSTER_LABEL;

  public static final String CLUSTER_NAMESPACE_LABEL = NodeActivities.CLUSTER_NAMESPACE_LABEL;
  public static final String POOL_LABEL = NodeActivities.POOL_LABEL;

  /** Node label: {@code spot} or {@code on-demand}. */
  public static final String CAPACITY_TYPE_LABEL = "capstan.io/capacity-type";

  /** The taint of a Node not yet initialized, as the cloud provider's uninitialized taint. */
  public static final String UNINITIALIZED_TAINT = NodeActivities.UNINITIALIZED_TAINT;

  /** Node annotation kwok's stages read: how long until Ready, as a Go duration. */
  public static final String READY_DELAY_ANNOTATION = "capstan.io/simulate-ready-delay";

  static final String NEVER_BOOTED = "instance never booted (simulated)";

  private static final Capacity UNKNOWN_TYPE = new Capacity("2", "8Gi", 0);
  private static final int DESCRIBE_BATCH = 100;

  /**
   * @param pollInterval the pause between passes (default 500 ms)
   */
  public record Options(Duration pollInterval) {
    public Options {
      if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
        throw new IllegalArgumentException("the poll interval must be positive: " + pollInterval);
      }
    }

    public static Options defaults() {
      return new Options(Duration.ofMillis(500));
    }
  }

  private final AutoScalingClient autoScaling;
  private final Ec2Client ec2;
  private final KubernetesClient kube;
  private final Options options;
  private final Thread thread;

  // Only the loop's thread touches these.
  private final Map<String, Long> firstSeen = new HashMap<>();
  private final Map<String, String> linked = new HashMap<>();
  private final Set<String> failed = new HashSet<>();
  private final Map<String, Instance> instances = new HashMap<>();
  private final Map<String, Capacity> capacities = new HashMap<>();
  private final Map<String, String> warned = new HashMap<>();

  /**
   * Told when a simulated GPU node appears and goes, so the node can get a GPU worker of its own
   * (as a GPU agent DaemonSet gives real nodes); the default does nothing.
   */
  public interface GpuNodes {
    GpuNodes NONE = new GpuNodes() {};

    default void up(String node, int gpus) {}

    default void gone(String node) {}
  }

  private volatile GpuNodes gpuNodes = GpuNodes.NONE;

  private final AtomicLong passes = new AtomicLong();
  private volatile int linkedNodes;
  private volatile String lastError;
  private volatile boolean closed;

  /**
   * @param autoScaling Auto Scaling of the simulated cloud (moto)
   * @param ec2 EC2 of the same
   * @param kube a client of the local control plane allowed to create and delete Nodes
   */
  public SimulatedCloud(
      AutoScalingClient autoScaling, Ec2Client ec2, KubernetesClient kube, Options options) {
    this.autoScaling = autoScaling;
    this.ec2 = ec2;
    this.kube = kube;
    this.options = options;
    this.thread = new Thread(this::loop, "capstan-simulated-cloud");
    thread.setDaemon(true);
  }

  /** Tells {@code listener} about GPU nodes from now on; call before {@link #start()}. */
  public SimulatedCloud onGpuNodes(GpuNodes listener) {
    this.gpuNodes = listener;
    return this;
  }

  /** Starts the loop; returns at once. */
  public SimulatedCloud start() {
    thread.start();
    return this;
  }

  /** How many instances have a Node this component created or found. */
  public int linkedNodes() {
    return linkedNodes;
  }

  /** How many passes ran, whether they failed or not: the loop goes on. */
  public long passes() {
    return passes.get();
  }

  /** Why the latest pass failed, until one succeeds. */
  public Optional<String> lastError() {
    return Optional.ofNullable(lastError);
  }

  /** Stops the loop (not the clients); safe to call again. */
  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(10).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    try {
      while (!closed) {
        try {
          pass();
          if (lastError != null) {
            LOG.info("the simulated cloud reaches moto and Kubernetes again");
            lastError = null;
          }
        } catch (RuntimeException e) {
          if (closed) {
            return;
          }
          String why = e.getClass().getSimpleName() + ": " + e.getMessage();
          if (!why.equals(lastError)) {
            LOG.warn("a pass of the simulated cloud failed; it tries again: {}", why);
          }
          lastError = why;
        }
        passes.incrementAndGet();
        Thread.sleep(options.pollInterval().toMillis());
      }
    } catch (InterruptedException e) {
      // close() stops the loop this way.
    } catch (Throwable e) {
      LOG.error("the simulated cloud stopped: no more Nodes will come or go", e);
      lastError = "stopped: " + e;
      throw e;
    }
  }

  /** One look at the groups and the Nodes, and what follows from it. */
  private void pass() {
    Set<String> live = new HashSet<>();
    List<Member> members = new ArrayList<>();
    for (AutoScalingGroup group :
        autoScaling
            .describeAutoScalingGroupsPaginator(DescribeAutoScalingGroupsRequest.builder().build())
            .autoScalingGroups()) {
      Pool pool = pool(group);
      for (var instance : group.instances()) {
        String state = instance.lifecycleStateAsString();
        if ("InService".equals(state) || (state != null && state.startsWith("Pending"))) {
          live.add(instance.instanceId());
        }
        if (pool != null && "InService".equals(state)) {
          members.add(new Member(pool, instance.instanceId(), instance.availabilityZone()));
        }
      }
    }
    removeGone(live);
    link(members);
    // An instance keeps its entry while it lives: a Node someone else deleted is not made again.
    linked.keySet().retainAll(live);
    firstSeen.keySet().retainAll(live);
    instances.keySet().retainAll(live);
    failed.retainAll(live);
    warned.keySet().removeIf(key -> key.startsWith("i-") && !live.contains(key));
    linkedNodes = linked.size();
  }

  /** Deletes the Nodes of instances no group holds any more. */
  private void removeGone(Set<String> live) {
    List<Node> nodes =
        kube.nodes()
            .withLabel(SimulatedPods.NODE_LABEL, "true")
            .withLabel(CLUSTER_LABEL)
            .list()
            .getItems();
    for (Node node : nodes) {
      String instance = instanceOf(node);
      if (instance == null) {
        continue;
      }
      if (!live.contains(instance)) {
        String name = node.getMetadata().getName();
        kube.nodes().withName(name).delete();
        linked.remove(instance);
        gpuNodes.gone(name);
        LOG.info("deleted Node {}: instance {} is gone from its group", name, instance);
      }
    }
  }

  /** Tags the failures and creates the Nodes due now. */
  private void link(List<Member> members) {
    List<Member> due = new ArrayList<>();
    long now = System.nanoTime();
    for (Member member : members) {
      String id = member.instanceId();
      if (linked.containsKey(id) || failed.contains(id)) {
        continue;
      }
      firstSeen.putIfAbsent(id, now);
      if (member.pool().neverBoot()
          || member.pool().zonesOutOfCapacity().contains(member.zone())
          || now - firstSeen.get(id) >= member.pool().bootDelay().toNanos()) {
        due.add(member);
      }
    }
    describe(
        due.stream().map(Member::instanceId).filter(id -> !instances.containsKey(id)).toList());
    for (Member member : due) {
      Instance instance = instances.get(member.instanceId());
      if (instance == null) {
        continue; // EC2 does not show it yet; the next pass looks again.
      }
      try {
        if (member.pool().neverBoot()) {
          fail(instance, NEVER_BOOTED);
        } else if (member.pool().zonesOutOfCapacity().contains(member.zone())) {
          fail(
              instance,
              "InsufficientInstanceCapacity: "
                  + member.zone()
                  + " has no capacity for "
                  + instance.instanceTypeAsString()
                  + " (simulated)");
        } else {
          register(member, instance);
        }
        warned.remove(member.instanceId());
      } catch (RuntimeException e) {
        warn(member.instanceId(), "instance " + member.instanceId() + ": " + e.getMessage());
      }
    }
  }

  private void describe(List<String> ids) {
    for (int from = 0; from < ids.size(); from += DESCRIBE_BATCH) {
      List<String> batch = ids.subList(from, Math.min(ids.size(), from + DESCRIBE_BATCH));
      // A filter, not InstanceIds: an id EC2 does not know fails nothing.
      DescribeInstancesRequest request =
          DescribeInstancesRequest.builder()
              .filters(Filter.builder().name("instance-id").values(batch).build())
              .build();
      for (var reservation : ec2.describeInstancesPaginator(request).reservations()) {
        for (Instance instance : reservation.instances()) {
          instances.put(instance.instanceId(), instance);
        }
      }
    }
  }

  private void fail(Instance instance, String why) {
    boolean tagged =
        instance.tags().stream()
            .anyMatch(t -> FAILURE_TAG.equals(t.key()) && why.equals(t.value()));
    if (!tagged) {
      ec2.createTags(
          r ->
              r.resources(instance.instanceId())
                  .tags(Tag.builder().key(FAILURE_TAG).value(why).build()));
      LOG.info("instance {} gets no Node: {}", instance.instanceId(), why);
    }
    failed.add(instance.instanceId());
  }

  private void register(Member member, Instance instance) {
    Pool pool = member.pool();
    String id = instance.instanceId();
    String name =
        instance.privateDnsName() == null || instance.privateDnsName().isBlank()
            ? id
            : instance.privateDnsName();
    String zone =
        instance.placement() == null ? member.zone() : instance.placement().availabilityZone();
    String providerId = "aws:///" + zone + "/" + id;
    String type = instance.instanceTypeAsString();
    Capacity capacity = capacity(type);
    int gpus = pool.gpusPerNode() != null ? pool.gpusPerNode() : capacity.gpus();

    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("kubernetes.io/hostname", name);
    labels.put("kubernetes.io/os", "linux");
    labels.put("kubernetes.io/arch", "amd64");
    labels.put("node.kubernetes.io/instance-type", type);
    labels.put(
        "topology.kubernetes.io/region", autoScaling.serviceClientConfiguration().region().id());
    labels.put("topology.kubernetes.io/zone", zone);
    labels.put(CLUSTER_LABEL, pool.clusterName());
    labels.put(CLUSTER_NAMESPACE_LABEL, pool.clusterNamespace());
    labels.put(POOL_LABEL, pool.pool());
    labels.put(CAPACITY_TYPE_LABEL, pool.spot() ? "spot" : "on-demand");
    labels.put(SimulatedPods.NODE_LABEL, "true");
    labels.put("type", "kwok");
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put("kwok.x-k8s.io/node", "fake");
    if (pool.neverReady()) {
      annotations.put(SimulatedPods.NEVER_READY, "true");
    }
    if (pool.readyDelay() != null) {
      annotations.put(READY_DELAY_ANNOTATION, pool.readyDelay().toMillis() + "ms");
    }
    Map<String, Quantity> resources = new LinkedHashMap<>();
    resources.put("cpu", new Quantity(capacity.cpu()));
    resources.put("memory", new Quantity(capacity.memory()));
    resources.put("pods", new Quantity("110"));
    if (gpus > 0) {
      resources.put("nvidia.com/gpu", new Quantity(Integer.toString(gpus)));
    }
    Node node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .withLabels(labels)
            .withAnnotations(annotations)
            .endMetadata()
            .withNewSpec()
            .withProviderID(providerId)
            .withTaints(new Taint("NoSchedule", UNINITIALIZED_TAINT, null, "true"))
            .endSpec()
            .withNewStatus()
            .withCapacity(resources)
            .withAllocatable(resources)
            .endStatus()
            .build();
    if (gpus > 0) {
      gpuNodes.up(name, gpus);
    }
    try {
      kube.nodes().resource(node).create();
      LOG.info(
          "instance {} registered Node {} ({}/{} pool {})",
          id,
          name,
          pool.clusterNamespace(),
          pool.clusterName(),
          pool.pool());
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      Node existing = kube.nodes().withName(name).get();
      if (existing != null
          && (existing.getSpec() == null
              || !providerId.equals(existing.getSpec().getProviderID()))) {
        throw new IllegalStateException(
            "Node "
                + name
                + " exists for "
                + (existing.getSpec() == null ? null : existing.getSpec().getProviderID())
                + ", not "
                + providerId);
      }
    }
    linked.put(id, name);
  }

  /** CPU, memory and GPUs of an instance type, as EC2 describes it; asked once per type. */
  private Capacity capacity(String type) {
    Capacity known = capacities.get(type);
    if (known != null) {
      return known;
    }
    Capacity capacity;
    try {
      List<InstanceTypeInfo> infos =
          ec2.describeInstanceTypes(r -> r.instanceTypesWithStrings(type)).instanceTypes();
      capacity = infos.isEmpty() ? UNKNOWN_TYPE : Capacity.of(infos.get(0));
    } catch (Ec2Exception e) {
      if (e.statusCode() >= 500) {
        throw e;
      }
      capacity = UNKNOWN_TYPE; // A type EC2 does not know.
    }
    capacities.put(type, capacity);
    return capacity;
  }

  /** The pool a group serves, or null when it carries no Capstan tags (or broken ones). */
  private Pool pool(AutoScalingGroup group) {
    Map<String, String> tags =
        group.tags().stream()
            .collect(Collectors.toMap(TagDescription::key, TagDescription::value, (a, b) -> b));
    String cluster = tags.get(CLUSTER_TAG);
    String pool = tags.get(POOL_TAG);
    if (cluster == null || pool == null) {
      return null;
    }
    String subject = "group " + group.autoScalingGroupName();
    int slash = cluster.indexOf('/');
    if (slash <= 0 || slash == cluster.length() - 1 || cluster.indexOf('/', slash + 1) >= 0) {
      warn(subject, subject + ": " + CLUSTER_TAG + " is '" + cluster + "', not NAMESPACE/NAME");
      return null;
    }
    return new Pool(
        cluster.substring(0, slash),
        cluster.substring(slash + 1),
        pool,
        "true".equalsIgnoreCase(tags.get(SPOT_TAG)),
        count(subject, tags, GPU_PER_NODE_TAG),
        duration(subject, tags, BOOT_DELAY_TAG, Duration.ZERO),
        duration(subject, tags, READY_DELAY_TAG, null),
        "true".equalsIgnoreCase(tags.get(NEVER_READY_TAG)),
        "true".equalsIgnoreCase(tags.get(NEVER_BOOT_TAG)),
        tags.containsKey(ZONES_OUT_OF_CAPACITY_TAG)
            ? Arrays.stream(tags.get(ZONES_OUT_OF_CAPACITY_TAG).split(","))
                .map(String::trim)
                .filter(z -> !z.isEmpty())
                .collect(Collectors.toUnmodifiableSet())
            : Set.of());
  }

  private Duration duration(String subject, Map<String, String> tags, String tag, Duration absent) {
    String value = tags.get(tag);
    if (value == null) {
      return absent;
    }
    try {
      return Durations.parse(value.trim());
    } catch (IllegalArgumentException e) {
      warn(subject + " " + tag, subject + ": " + tag + ": " + e.getMessage() + "; ignored");
      return absent;
    }
  }

  private Integer count(String subject, Map<String, String> tags, String tag) {
    String value = tags.get(tag);
    if (value == null) {
      return null;
    }
    try {
      int count = Integer.parseInt(value.trim());
      if (count >= 0) {
        return count;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    warn(subject + " " + tag, subject + ": " + tag + " is '" + value + "', not a count; ignored");
    return null;
  }

  /** Logs a warning once for as long as it stays the same, rather than on every pass. */
  private void warn(String key, String message) {
    if (!message.equals(warned.put(key, message))) {
      LOG.warn("{}", message);
    }
  }

  /** The providerID's instance id of a Node this component could have made, else null. */
  static String instanceOf(Node node) {
    String providerId = node.getSpec() == null ? null : node.getSpec().getProviderID();
    if (providerId == null || !providerId.startsWith("aws:///")) {
      return null;
    }
    String id = providerId.substring(providerId.lastIndexOf('/') + 1);
    return id.startsWith("i-") ? id : null;
  }

  /** What the group's tags say about its instances. */
  private record Pool(
      String clusterNamespace,
      String clusterName,
      String pool,
      boolean spot,
      Integer gpusPerNode,
      Duration bootDelay,
      Duration readyDelay,
      boolean neverReady,
      boolean neverBoot,
      Set<String> zonesOutOfCapacity) {}

  /** An InService instance of a Capstan group. */
  private record Member(Pool pool, String instanceId, String zone) {}

  private record Capacity(String cpu, String memory, int gpus) {
    static Capacity of(InstanceTypeInfo info) {
      String cpu =
          info.vCpuInfo() == null || info.vCpuInfo().defaultVCpus() == null
              ? UNKNOWN_TYPE.cpu()
              : Integer.toString(info.vCpuInfo().defaultVCpus());
      String memory =
          info.memoryInfo() == null || info.memoryInfo().sizeInMiB() == null
              ? UNKNOWN_TYPE.memory()
              : info.memoryInfo().sizeInMiB() + "Mi";
      int gpus =
          info.gpuInfo() == null
              ? 0
              : info.gpuInfo().gpus().stream()
                  .map(GpuDeviceInfo::count)
                  .filter(c -> c != null)
                  .mapToInt(Integer::intValue)
                  .sum();
      return new Capacity(cpu, memory, gpus);
    }
  }
}
