package io.capstan.app.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.activities.kube.SimulatedPods;
import io.capstan.app.kube.LocalCluster;
import io.capstan.testkit.FreePorts;
import io.capstan.testkit.MotoServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.autoscaling.model.AutoScalingGroup;
import software.amazon.awssdk.services.autoscaling.model.Instance;
import software.amazon.awssdk.services.autoscaling.model.Tag;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.InstanceType;

/**
 * The simulated cloud against a real moto and the shared local control plane: Auto Scaling groups
 * made through the SDK as Capstan's cluster workflow makes them, and Nodes asserted as the API
 * server holds them, Ready or not as kwok reports. Every group belongs to a cluster of its own in
 * the namespace {@value #NAMESPACE}, so the tests do not see each other's Nodes; the Nodes are
 * deleted at the end, since other tests count the shared cluster's simulated nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimulatedCloudIT {
  private static final String NAMESPACE = "simulated-cloud-it";
  private static final String REGION = "us-west-2";
  private static final String CPU_TEMPLATE = "capstan-it-cpu";
  private static final String GPU_TEMPLATE = "capstan-it-gpu";
  private static final Duration WAIT = Duration.ofSeconds(30);

  private MotoServer moto;
  private AutoScalingClient autoScaling;
  private Ec2Client ec2;
  private KubernetesClient admin;
  private SimulatedCloud cloud;

  @BeforeAll
  void start() throws IOException {
    moto = MotoServer.start();
    autoScaling = LocalAws.pointedAt(AutoScalingClient.builder(), moto.endpoint(), REGION).build();
    ec2 = LocalAws.pointedAt(Ec2Client.builder(), moto.endpoint(), REGION).build();
    admin = LocalCluster.get().adminClient();
    template(CPU_TEMPLATE, InstanceType.M5_LARGE);
    template(GPU_TEMPLATE, InstanceType.G4_DN_XLARGE);
    cloud = startCloud();
  }

  @AfterAll
  void stop() {
    if (cloud != null) {
      cloud.close();
    }
    if (admin != null) {
      admin.nodes().withLabel(SimulatedCloud.CLUSTER_NAMESPACE_LABEL, NAMESPACE).delete();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  admin
                      .nodes()
                      .withLabel(SimulatedCloud.CLUSTER_NAMESPACE_LABEL, NAMESPACE)
                      .list()
                      .getItems()
                      .isEmpty());
      admin.close();
    }
    if (autoScaling != null) {
      autoScaling.close();
      ec2.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  @Test
  @DisplayName(
      "each InService instance registers one Node with the cloud's providerID, name, labels,"
          + " uninitialized taint and its type's capacity, and kwok makes it Ready")
  void instancesBecomeNodes() {
    List<Instance> instances =
        group("web", "web", "general", CPU_TEMPLATE, 2, "us-west-2b", Map.of());

    List<Node> nodes = awaitNodes("web", 2);

    assertThat(nodes)
        .extracting(n -> n.getSpec().getProviderID())
        .containsExactlyInAnyOrderElementsOf(
            instances.stream().map(i -> "aws:///us-west-2b/" + i.instanceId()).toList());
    Map<String, String> dnsNames = privateDnsNames(instances);
    for (Node node : nodes) {
      String instanceId = SimulatedCloud.instanceOf(node);
      String name = node.getMetadata().getName();
      assertThat(name).isEqualTo(dnsNames.get(instanceId)).endsWith(".ec2.internal");
      assertThat(node.getMetadata().getLabels())
          .containsEntry("kubernetes.io/hostname", name)
          .containsEntry("kubernetes.io/os", "linux")
          .containsEntry("kubernetes.io/arch", "amd64")
          .containsEntry("node.kubernetes.io/instance-type", "m5.large")
          .containsEntry("topology.kubernetes.io/region", REGION)
          .containsEntry("topology.kubernetes.io/zone", "us-west-2b")
          .containsEntry("capstan.io/cluster", "web")
          .containsEntry("capstan.io/cluster-namespace", NAMESPACE)
          .containsEntry("capstan.io/pool", "general")
          .containsEntry("capstan.io/capacity-type", "on-demand")
          .containsEntry("capstan.io/simulated", "true")
          .containsEntry("type", "kwok");
      assertThat(node.getSpec().getTaints())
          .anySatisfy(
              t -> {
                assertThat(t.getKey()).isEqualTo("node.capstan.io/uninitialized");
                assertThat(t.getValue()).isEqualTo("true");
                assertThat(t.getEffect()).isEqualTo("NoSchedule");
              });
      assertThat(amounts(node))
          .containsEntry("cpu", "2")
          .containsEntry("memory", "8Gi")
          .containsEntry("pods", "110")
          .doesNotContainKey("nvidia.com/gpu");
      assertThat(node.getMetadata().getAnnotations())
          .doesNotContainKeys("capstan.io/simulate-never-ready", "capstan.io/simulate-ready-delay");
    }
    for (Node node : nodes) {
      awaitReady(node.getMetadata().getName(), "True");
    }
    assertThat(cloud.linkedNodes()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName(
      "GPUs come from the instance type, or from the group's gpu-per-node tag; spot groups make"
          + " spot nodes")
  void gpusAndSpot() {
    group("gpu", "gpu", "t4", GPU_TEMPLATE, 1, "us-west-2a", Map.of());
    group(
        "gpu-tagged",
        "gpu-tagged",
        "h100",
        CPU_TEMPLATE,
        1,
        "us-west-2a",
        Map.of(SimulatedCloud.GPU_PER_NODE_TAG, "8", SimulatedCloud.SPOT_TAG, "true"));

    Node fromType = awaitNodes("gpu", 1).get(0);
    Node fromTag = awaitNodes("gpu-tagged", 1).get(0);

    assertThat(amounts(fromType))
        .containsEntry("cpu", "4")
        .containsEntry("memory", "16Gi")
        .containsEntry("nvidia.com/gpu", "1");
    assertThat(fromType.getMetadata().getLabels())
        .containsEntry("node.kubernetes.io/instance-type", "g4dn.xlarge")
        .containsEntry("capstan.io/capacity-type", "on-demand");
    assertThat(amounts(fromTag)).containsEntry("cpu", "2").containsEntry("nvidia.com/gpu", "8");
    assertThat(fromTag.getMetadata().getLabels()).containsEntry("capstan.io/capacity-type", "spot");
  }

  @Test
  @DisplayName(
      "a never-ready group's node reports Ready=False; a ready delay reaches kwok as a Go duration")
  void readiness() {
    group(
        "never-ready",
        "never-ready",
        "general",
        CPU_TEMPLATE,
        1,
        "us-west-2a",
        Map.of(SimulatedCloud.NEVER_READY_TAG, "true"));
    group(
        "slow-ready",
        "slow-ready",
        "general",
        CPU_TEMPLATE,
        1,
        "us-west-2a",
        Map.of(SimulatedCloud.READY_DELAY_TAG, "1s500ms"));

    Node never = awaitNodes("never-ready", 1).get(0);
    Node slow = awaitNodes("slow-ready", 1).get(0);

    assertThat(never.getMetadata().getAnnotations())
        .containsEntry("capstan.io/simulate-never-ready", "true");
    NodeCondition notReady = awaitReady(never.getMetadata().getName(), "False");
    assertThat(notReady.getReason()).isEqualTo("KubeletNotReady");
    assertThat(slow.getMetadata().getAnnotations())
        .containsEntry("capstan.io/simulate-ready-delay", "1500ms");
    awaitReady(slow.getMetadata().getName(), "True");
  }

  @Test
  @DisplayName(
      "a never-boot group and a zone out of capacity get no node; their instances carry the"
          + " sim-failure tag")
  void failures() {
    Instance neverBoots =
        group(
                "never-boot",
                "never-boot",
                "general",
                CPU_TEMPLATE,
                1,
                "us-west-2a",
                Map.of(SimulatedCloud.NEVER_BOOT_TAG, "true"))
            .get(0);
    Instance noCapacity =
        group(
                "no-capacity",
                "no-capacity",
                "general",
                CPU_TEMPLATE,
                1,
                "us-west-2c",
                Map.of(SimulatedCloud.ZONES_OUT_OF_CAPACITY_TAG, "us-west-2d, us-west-2c"))
            .get(0);

    await().atMost(WAIT).until(() -> failure(neverBoots.instanceId()).isPresent());
    await().atMost(WAIT).until(() -> failure(noCapacity.instanceId()).isPresent());

    assertThat(failure(neverBoots.instanceId())).hasValue("instance never booted (simulated)");
    assertThat(failure(noCapacity.instanceId()))
        .hasValue(
            "InsufficientInstanceCapacity: us-west-2c has no capacity for m5.large (simulated)");
    // An instance is tagged in the pass that decides it gets no Node, for good.
    assertThat(nodes("never-boot")).isEmpty();
    assertThat(nodes("no-capacity")).isEmpty();
  }

  @Test
  @DisplayName("the boot delay holds the node back")
  void bootDelay() {
    group(
        "slow-boot",
        "slow-boot",
        "general",
        CPU_TEMPLATE,
        1,
        "us-west-2a",
        Map.of(SimulatedCloud.BOOT_DELAY_TAG, "3s"));

    // Counted from when the component first saw the instance, which is after the group was made.
    await()
        .atLeast(Duration.ofMillis(2500))
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> nodes("slow-boot").size() == 1);
  }

  @Test
  @DisplayName(
      "scaling in and deleting a group delete its nodes; another cluster's nodes and the local"
          + " cluster's own are untouched")
  void removal() {
    Set<String> localNodes = uids(localClusterNodes());
    group("shrink", "shrink", "general", CPU_TEMPLATE, 2, "us-west-2a", Map.of());
    group("keep", "keep", "general", CPU_TEMPLATE, 1, "us-west-2a", Map.of());
    awaitNodes("shrink", 2);
    String keptUid = awaitNodes("keep", 1).get(0).getMetadata().getUid();

    autoScaling.setDesiredCapacity(r -> r.autoScalingGroupName("shrink").desiredCapacity(1));
    List<Instance> left = instances("shrink");
    assertThat(left).hasSize(1);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(nodes("shrink"))
                    .extracting(SimulatedCloud::instanceOf)
                    .containsExactly(left.get(0).instanceId()));

    autoScaling.deleteAutoScalingGroup(r -> r.autoScalingGroupName("shrink").forceDelete(true));
    await().atMost(WAIT).until(() -> nodes("shrink").isEmpty());

    assertThat(nodes("keep"))
        .singleElement()
        .extracting(n -> n.getMetadata().getUid())
        .isEqualTo(keptUid);
    assertThat(uids(localClusterNodes())).isEqualTo(localNodes).isNotEmpty();
  }

  @Test
  @DisplayName("a restarted component finds the nodes it made and makes none again")
  void restart() {
    group("restart", "restart", "general", CPU_TEMPLATE, 2, "us-west-2a", Map.of());
    Set<String> uids = uids(awaitNodes("restart", 2));

    cloud.close();
    cloud = startCloud();
    long from = cloud.passes();
    await().atMost(WAIT).until(() -> cloud.passes() >= from + 2);

    assertThat(cloud.lastError()).isEmpty();
    assertThat(uids(nodes("restart"))).isEqualTo(uids);
    assertThat(cloud.linkedNodes()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("a pass that cannot reach moto is reported and the loop goes on")
  void unreachableCloud() {
    URI nowhere = URI.create("http://127.0.0.1:" + FreePorts.next());
    try (AutoScalingClient away =
            LocalAws.pointedAt(AutoScalingClient.builder(), nowhere, REGION).build();
        SimulatedCloud lost =
            new SimulatedCloud(away, ec2, admin, new SimulatedCloud.Options(Duration.ofMillis(50)))
                .start()) {
      await().atMost(WAIT).until(() -> lost.lastError().isPresent() && lost.passes() >= 3);

      assertThat(lost.lastError().orElseThrow()).contains("Unable to execute HTTP request");
    }
  }

  private SimulatedCloud startCloud() {
    return new SimulatedCloud(
            autoScaling, ec2, admin, new SimulatedCloud.Options(Duration.ofMillis(200)))
        .start();
  }

  private void template(String name, InstanceType type) {
    ec2.createLaunchTemplate(
        r ->
            r.launchTemplateName(name)
                .launchTemplateData(d -> d.imageId("ami-12c6146b").instanceType(type)));
  }

  /** Makes a group of {@code cluster}'s pool in one zone and returns its instances. */
  private List<Instance> group(
      String name,
      String cluster,
      String pool,
      String template,
      int desired,
      String zone,
      Map<String, String> extraTags) {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put(SimulatedCloud.CLUSTER_TAG, NAMESPACE + "/" + cluster);
    tags.put(SimulatedCloud.POOL_TAG, pool);
    tags.putAll(extraTags);
    List<Tag> groupTags = new ArrayList<>();
    // moto needs ResourceId and ResourceType to show a group's tags.
    tags.forEach(
        (key, value) ->
            groupTags.add(
                Tag.builder()
                    .key(key)
                    .value(value)
                    .resourceId(name)
                    .resourceType("auto-scaling-group")
                    .propagateAtLaunch(true)
                    .build()));
    autoScaling.createAutoScalingGroup(
        r ->
            r.autoScalingGroupName(name)
                .launchTemplate(t -> t.launchTemplateName(template))
                .minSize(0)
                .maxSize(10)
                .desiredCapacity(desired)
                .availabilityZones(zone)
                .tags(groupTags));
    List<Instance> instances = instances(name);
    assertThat(instances).hasSize(desired);
    return instances;
  }

  private List<Instance> instances(String group) {
    AutoScalingGroup described =
        autoScaling
            .describeAutoScalingGroups(r -> r.autoScalingGroupNames(group))
            .autoScalingGroups()
            .get(0);
    return described.instances();
  }

  private Map<String, String> privateDnsNames(List<Instance> instances) {
    return ec2
        .describeInstances(
            r -> r.instanceIds(instances.stream().map(Instance::instanceId).toList()))
        .reservations()
        .stream()
        .flatMap(r -> r.instances().stream())
        .collect(
            Collectors.toMap(
                software.amazon.awssdk.services.ec2.model.Instance::instanceId,
                software.amazon.awssdk.services.ec2.model.Instance::privateDnsName));
  }

  private Optional<String> failure(String instanceId) {
    return ec2.describeInstances(r -> r.instanceIds(instanceId)).reservations().stream()
        .flatMap(r -> r.instances().stream())
        .flatMap(i -> i.tags().stream())
        .filter(t -> SimulatedCloud.FAILURE_TAG.equals(t.key()))
        .map(software.amazon.awssdk.services.ec2.model.Tag::value)
        .findFirst();
  }

  private List<Node> nodes(String cluster) {
    return admin
        .nodes()
        .withLabel(SimulatedCloud.CLUSTER_NAMESPACE_LABEL, NAMESPACE)
        .withLabel(SimulatedCloud.CLUSTER_LABEL, cluster)
        .list()
        .getItems();
  }

  /** The nodes the local cluster made itself (sim-cpu-*, sim-gpu-*): no Capstan cluster's. */
  private List<Node> localClusterNodes() {
    return admin.nodes().withLabel(SimulatedPods.NODE_LABEL, "true").list().getItems().stream()
        .filter(n -> !n.getMetadata().getLabels().containsKey(SimulatedCloud.CLUSTER_LABEL))
        .toList();
  }

  private List<Node> awaitNodes(String cluster, int count) {
    return await().atMost(WAIT).until(() -> nodes(cluster), nodes -> nodes.size() == count);
  }

  private NodeCondition awaitReady(String node, String status) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                Optional.ofNullable(admin.nodes().withName(node).get())
                    .map(Node::getStatus)
                    .stream()
                    .flatMap(s -> s.getConditions() == null ? null : s.getConditions().stream())
                    .filter(c -> "Ready".equals(c.getType()))
                    .findFirst()
                    .orElse(null),
            c -> c != null && status.equals(c.getStatus()));
  }

  /** Capacity as the API server keeps it: canonical quantities, so 8192Mi reads back as 8Gi. */
  private static Map<String, String> amounts(Node node) {
    Map<String, String> amounts = new LinkedHashMap<>();
    node.getStatus()
        .getCapacity()
        .forEach((name, quantity) -> amounts.put(name, quantity.toString()));
    assertThat(node.getStatus().getAllocatable()).isEqualTo(node.getStatus().getCapacity());
    return amounts;
  }

  private static Set<String> uids(List<Node> nodes) {
    return nodes.stream().map(n -> n.getMetadata().getUid()).collect(Collectors.toSet());
  }
}
