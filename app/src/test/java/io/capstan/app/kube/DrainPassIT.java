package io.capstan.app.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.capstan.activities.cluster.NodeActivitiesImpl;
import io.capstan.activities.kube.KubeClients;
import io.capstan.activities.kube.SimulatedPods;
import io.capstan.definitions.cluster.CloudProvider;
import io.capstan.testkit.Eventually;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.NodeActivities;
import io.capstan.workflows.cluster.NodeActivities.BlockReason;
import io.capstan.workflows.cluster.NodeActivities.DeletePodsRequest;
import io.capstan.workflows.cluster.NodeActivities.DrainPass;
import io.capstan.workflows.cluster.NodeActivities.DrainPassRequest;
import io.capstan.workflows.cluster.NodeActivities.PodBlock;
import io.capstan.workflows.cluster.NodeActivities.PodEviction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirementBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.TaintBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The drain activities ({@code CordonNode}, {@code DrainPass}, {@code DeletePods}) against the
 * local control plane: real eviction API, disruption controller, ReplicaSets and DaemonSets, and
 * kwok as the kubelet that removes an evicted pod. Cordon and drain run as the worker's shipped
 * Role; DeletePods, which that Role does not grant, as the cluster admin.
 *
 * <p>Each test has nodes of its own, tainted so that only this test's pods (which tolerate the
 * taint and select the nodes by label) land there, in a namespace of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DrainPassIT {
  private static final String TAINT = "capstan.io/drain-it";
  private static final String GROUP = "capstan.io/drain-it-group";
  private static final String HOSTNAME = "kubernetes.io/hostname";
  private static final ClusterRef CLUSTER =
      new ClusterRef("default", "drain-it", CloudProvider.SIMULATED, null, null, null);

  private final String run = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  private final String namespace = "drain-" + run;
  private final List<String> nodes = new CopyOnWriteArrayList<>();

  private KubernetesClient admin;
  private KubernetesClient worker;
  private TestActivityEnvironment environment;
  private TestActivityEnvironment adminEnvironment;
  private NodeActivities activities;
  private NodeActivities asAdmin;
  private final List<String> heartbeats = new CopyOnWriteArrayList<>();

  @BeforeAll
  void start() {
    LocalKubernetes cluster = LocalCluster.get();
    admin = cluster.adminClient();
    worker = KubeClients.connect(cluster.workerKubeconfig(), null);
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    environment = TestActivityEnvironment.newInstance();
    environment.registerActivitiesImplementations(
        new NodeActivitiesImpl(ref -> worker, Duration.ofMillis(100)));
    environment.setActivityHeartbeatListener(String.class, heartbeats::add);
    activities = environment.newActivityStub(NodeActivities.class);
    adminEnvironment = TestActivityEnvironment.newInstance();
    adminEnvironment.registerActivitiesImplementations(
        new NodeActivitiesImpl(ref -> admin, Duration.ofMillis(100)));
    asAdmin = adminEnvironment.newActivityStub(NodeActivities.class);
  }

  @AfterAll
  void stop() {
    if (environment != null) {
      environment.close();
      adminEnvironment.close();
    }
    if (admin != null) {
      admin.namespaces().withName(namespace).delete();
      // Other tests of this JVM count the simulated nodes: leave none behind.
      for (String node : nodes) {
        admin.nodes().withName(node).delete();
      }
      Eventually.await(
          "this test's nodes to be gone",
          () -> nodes.stream().filter(n -> admin.nodes().withName(n).get() != null).toList(),
          List::isEmpty);
      admin.close();
      worker.close();
    }
  }

  @Test
  @DisplayName(
      "draining a node of a Deployment under minAvailable 2 moves every pod, one at a time, and"
          + " leaves the DaemonSet's pod")
  void drainsThroughTheBudget() {
    String a = kwokNode("web-a", "web", false);
    String b = kwokNode("web-b", "web", true);
    String c = kwokNode("web-c", "web", true);
    admin
        .apps()
        .daemonSets()
        .inNamespace(namespace)
        .resource(
            new DaemonSetBuilder()
                .withNewMetadata()
                .withName("agent")
                .endMetadata()
                .withNewSpec()
                .withNewSelector()
                .addToMatchLabels("app", "agent")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "agent")
                .endMetadata()
                .withSpec(spec(GROUP, "web"))
                .endTemplate()
                .endSpec()
                .build())
        .create();
    budget(minAvailable("web-pdb", 2, "web"));
    // B and C are cordoned while the Deployment starts, so its three pods start on A.
    admin
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("web")
                .endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .withNewSelector()
                .addToMatchLabels("app", "web")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "web")
                .endMetadata()
                .withSpec(spec(GROUP, "web"))
                .endTemplate()
                .endSpec()
                .build())
        .create();
    Eventually.await("three ready web pods on " + a, () -> readyOn("web", a), n -> n == 3);
    Eventually.await("an agent pod on " + a, () -> podsOn("agent", a).size(), n -> n == 1);
    awaitBudget("web-pdb", 1);
    uncordon(b);
    uncordon(c);
    AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    AtomicBoolean watching = new AtomicBoolean();
    try (SharedIndexInformer<Pod> informer = watchAvailable("web", watching, fewest)) {
      watching.set(true);

      assertThat(activities.cordon(CLUSTER, a)).isTrue();
      DrainPass pass =
          activities.drainPass(
              new DrainPassRequest(CLUSTER, a, 30_000, 10_000, false, false, Map.of()));

      assertThat(pass.drained()).isTrue();
      assertThat(pass.evicted()).isEqualTo(3);
      assertThat(pass.remaining()).isEmpty();
      assertThat(pass.blocked()).isEmpty();
      assertThat(podsOn("web", a)).isEmpty();
      assertThat(podsOn("agent", a)).as("the DaemonSet's pod stays").hasSize(1);
      Eventually.await(
          "three ready web pods on the other nodes",
          () -> readyOn("web", b) + readyOn("web", c),
          n -> n == 3);
      watching.set(false);
    }
    // One pod at a time: each eviction takes one of three away until its replacement is ready.
    assertThat(fewest.get()).as("available web pods at the worst moment").isEqualTo(2);
  }

  @Test
  @DisplayName(
      "a budget with maxUnavailable 0 refuses every eviction (fabric8's evict answers false): the"
          + " pass reports the budget and its count, and the pod stays")
  void blockedByBudget() {
    String node = kwokNode("pdb0", false);
    Pod pod = replicatedPod("locked", node);
    budget(maxUnavailableZero("locked-pdb", "locked"));
    awaitBudget("locked-pdb", 0);
    heartbeats.clear();

    DrainPass pass =
        activities.drainPass(
            new DrainPassRequest(CLUSTER, node, 1_500, 10_000, false, false, Map.of()));

    String key = namespace + "/" + pod.getMetadata().getName();
    assertThat(pass.drained()).isFalse();
    assertThat(pass.evicted()).isZero();
    assertThat(pass.refusals()).isPositive();
    assertThat(pass.remaining()).containsExactly(key);
    assertThat(pass.evicting()).isEmpty();
    assertThat(pass.blocked())
        .containsExactly(
            new PodBlock(
                key,
                BlockReason.PDB,
                "locked-pdb",
                0,
                "pod " + key + " blocked by PDB locked-pdb, 0 disruptions allowed"));
    assertThat(heartbeats)
        .contains("draining " + node + ": 1 pod left, 1 blocked by PDB locked-pdb");
    Pod after = admin.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get();
    assertThat(after.getMetadata().getUid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(after.getMetadata().getDeletionTimestamp()).isNull();
    // What fabric8 makes of the 429 (with its own retries off, as the worker's clients have them).
    assertThat(
            admin
                .pods()
                .inNamespace(namespace)
                .withName(pod.getMetadata().getName())
                .evict(eviction(pod)))
        .isFalse();
  }

  @Test
  @DisplayName(
      "a pod selected by two budgets cannot be evicted at all (a 500): the pass names both")
  void twoBudgets() {
    String node = kwokNode("pdb2", false);
    Pod pod = replicatedPod("doubled", node);
    budget(minAvailable("doubled-a", 0, "doubled"));
    budget(minAvailable("doubled-b", 0, "doubled"));
    awaitBudget("doubled-a", 1);
    awaitBudget("doubled-b", 1);

    DrainPass pass =
        activities.drainPass(
            new DrainPassRequest(CLUSTER, node, 1_000, 10_000, false, false, Map.of()));

    String key = namespace + "/" + pod.getMetadata().getName();
    assertThat(pass.drained()).isFalse();
    assertThat(pass.refusals()).isZero();
    assertThat(pass.blocked())
        .containsExactly(
            new PodBlock(
                key,
                BlockReason.PDB_MISCONFIGURED,
                "doubled-a,doubled-b",
                null,
                "pod "
                    + key
                    + " is selected by 2 PodDisruptionBudgets (doubled-a, doubled-b): the API"
                    + " server cannot evict it; leave one budget per pod"));
    assertThatThrownBy(
            () ->
                admin
                    .pods()
                    .inNamespace(namespace)
                    .withName(pod.getMetadata().getName())
                    .evict(eviction(pod)))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(500);
              assertThat(e.getStatus().getMessage())
                  .contains("This pod has more than one PodDisruptionBudget");
            });
  }

  @Test
  @DisplayName(
      "an unmanaged pod and a pod with emptyDir data block the drain until the strategy allows"
          + " them; then both are evicted")
  void unmanagedAndEmptyDir() {
    String node = kwokNode("local", false);
    Pod lone =
        admin
            .pods()
            .inNamespace(namespace)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("lone")
                    .addToLabels("app", "lone")
                    .endMetadata()
                    .withSpec(spec(HOSTNAME, node))
                    .build())
            .create();
    Pod scratch = replicatedPod("scratch", node, true);
    awaitRunning(lone);
    String loneKey = namespace + "/lone";
    String scratchKey = namespace + "/" + scratch.getMetadata().getName();

    DrainPass refused =
        activities.drainPass(
            new DrainPassRequest(CLUSTER, node, 300, 10_000, false, false, Map.of()));

    assertThat(refused.drained()).isFalse();
    assertThat(refused.evicted()).isZero();
    assertThat(refused.blocked())
        .extracting(PodBlock::pod, PodBlock::reason)
        .containsExactlyInAnyOrder(
            tuple(loneKey, BlockReason.UNMANAGED), tuple(scratchKey, BlockReason.EMPTY_DIR));
    assertThat(refused.blocked())
        .filteredOn(b -> b.reason() == BlockReason.UNMANAGED)
        .singleElement()
        .satisfies(b -> assertThat(b.message()).contains("pod " + loneKey, "strategy.force: true"));
    assertThat(refused.blocked())
        .filteredOn(b -> b.reason() == BlockReason.EMPTY_DIR)
        .singleElement()
        .satisfies(
            b ->
                assertThat(b.message())
                    .contains("pod " + scratchKey, "strategy.deleteEmptyDirData: true"));

    assertThat(activities.cordon(CLUSTER, node)).isTrue();
    DrainPass allowed =
        activities.drainPass(
            new DrainPassRequest(CLUSTER, node, 10_000, 10_000, true, true, Map.of()));

    assertThat(allowed.drained()).isTrue();
    assertThat(allowed.evicted()).isEqualTo(2);
    assertThat(podsOn("lone", node)).isEmpty();
    assertThat(podsOn("scratch", node)).isEmpty();
  }

  @Test
  @DisplayName("DeletePods removes a pod a budget protects, once, and only the pod of that UID")
  void deletesABlockedPod() {
    String node = kwokNode("force", false);
    Pod pod = replicatedPod("forced", node);
    budget(maxUnavailableZero("forced-pdb", "forced"));
    awaitBudget("forced-pdb", 0);
    DrainPass pass =
        activities.drainPass(
            new DrainPassRequest(CLUSTER, node, 300, 10_000, false, false, Map.of()));
    String key = namespace + "/" + pod.getMetadata().getName();
    assertThat(pass.blocked()).extracting(PodBlock::reason).containsExactly(BlockReason.PDB);

    assertThat(asAdmin.deletePods(new DeletePodsRequest(CLUSTER, node, Map.of(key, "not-its-uid"))))
        .isEmpty();
    assertThat(
            asAdmin.deletePods(
                new DeletePodsRequest(CLUSTER, node, Map.of(key, pod.getMetadata().getUid()))))
        .containsExactly(key);

    Eventually.await(
        "the deleted pod to be gone",
        () ->
            admin.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get() == null,
        gone -> gone);
    assertThat(
            asAdmin.deletePods(
                new DeletePodsRequest(CLUSTER, node, Map.of(key, pod.getMetadata().getUid()))))
        .as("a second call finds nothing to delete")
        .isEmpty();
  }

  @Test
  @DisplayName(
      "an accepted eviction whose pod does not leave (no kubelet) is reported once it is over"
          + " podEvictionTimeout, and the next pass waits for it without evicting it again")
  void evictionTimeout() {
    // No kwok label: nothing plays the kubelet, so an evicted pod stays Terminating.
    String node = node("silent", "silent", false, false);
    Pod pod =
        admin
            .pods()
            .inNamespace(namespace)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("stuck")
                    .endMetadata()
                    .withSpec(new PodSpecBuilder(spec(HOSTNAME, node)).withNodeName(node).build())
                    .build())
            .create();
    String key = namespace + "/stuck";

    DrainPass first =
        activities.drainPass(new DrainPassRequest(CLUSTER, node, 700, 300, false, true, Map.of()));

    assertThat(first.drained()).isFalse();
    assertThat(first.evicted()).isEqualTo(1);
    assertThat(first.evicting()).containsOnlyKeys(key);
    assertThat(first.evicting().get(key).uid()).isEqualTo(pod.getMetadata().getUid());
    assertThat(first.blocked())
        .extracting(PodBlock::pod, PodBlock::reason)
        .containsExactly(tuple(key, BlockReason.EVICTION_TIMEOUT));

    DrainPass second =
        activities.drainPass(
            new DrainPassRequest(CLUSTER, node, 200, 300, false, true, first.evicting()));

    assertThat(second.evicted()).isZero();
    assertThat(second.remaining()).containsExactly(key);
    assertThat(second.evicting()).isEqualTo(first.evicting());
    assertThat(second.blocked())
        .extracting(PodBlock::reason)
        .containsExactly(BlockReason.EVICTION_TIMEOUT);
    admin.pods().inNamespace(namespace).withName("stuck").withGracePeriod(0).delete();
  }

  @Test
  @DisplayName(
      "a pod with the name of an evicted one but another UID is a new pod: the old one counts as"
          + " gone")
  void newPodOfTheSameName() {
    String node = kwokNode("renamed", false);
    Pod lone =
        admin
            .pods()
            .inNamespace(namespace)
            .resource(
                new PodBuilder()
                    .withNewMetadata()
                    .withName("again")
                    .endMetadata()
                    .withSpec(spec(HOSTNAME, node))
                    .build())
            .create();
    awaitRunning(lone);
    String key = namespace + "/again";

    DrainPass pass =
        activities.drainPass(
            new DrainPassRequest(
                CLUSTER,
                node,
                300,
                10_000,
                false,
                false,
                Map.of(
                    key, new PodEviction("uid-of-the-evicted-pod", System.currentTimeMillis()))));

    assertThat(pass.drained()).isTrue();
    assertThat(pass.evicting()).isEmpty();
    assertThat(admin.pods().inNamespace(namespace).withName("again").get()).isNotNull();
  }

  @Test
  @DisplayName("DrainNode, the scale-down's drain, still cordons the node and evicts its pods")
  void scaleDownDrain() {
    String node = kwokNode("scale-down", false);
    replicatedPod("leaving", node);

    NodeActivities.DrainResult result =
        activities.drain(new NodeActivities.DrainRequest(CLUSTER, node, 10_000));

    assertThat(result.drained()).isTrue();
    assertThat(result.evicted()).isEqualTo(1);
    assertThat(admin.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();
  }

  @Test
  @DisplayName("cordoning answers whether it changed the node: true, then false; false when absent")
  void cordonOnce() {
    String node = kwokNode("cordon", false);

    assertThat(activities.cordon(CLUSTER, node)).isTrue();
    assertThat(activities.cordon(CLUSTER, node)).isFalse();
    assertThat(activities.cordon(CLUSTER, "drain-" + run + "-no-such-node")).isFalse();
    assertThat(admin.nodes().withName(node).get().getSpec().getUnschedulable()).isTrue();
  }

  // ---------------------------------------------------------------------------------------------

  /** A kwok-managed node of this run, Ready and (unless asked) schedulable. */
  private String kwokNode(String suffix, boolean cordoned) {
    return kwokNode(suffix, suffix, cordoned);
  }

  /** As {@link #kwokNode(String, boolean)}, labelled {@link #GROUP}{@code =group}. */
  private String kwokNode(String suffix, String group, boolean cordoned) {
    String name = node(suffix, group, true, cordoned);
    Eventually.await(
        "node " + name + " to be Ready and untainted",
        () -> admin.nodes().withName(name).get(),
        n ->
            n.getStatus().getConditions() != null
                && n.getStatus().getConditions().stream()
                    .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()))
                && n.getSpec().getTaints().stream()
                    .noneMatch(t -> t.getKey().equals("node.kubernetes.io/not-ready")));
    return name;
  }

  private String node(String suffix, String group, boolean kwok, boolean cordoned) {
    String name = "drain-" + run + "-" + suffix;
    NodeBuilder node =
        new NodeBuilder()
            .withNewMetadata()
            .withName(name)
            .addToLabels(GROUP, group)
            .addToLabels(HOSTNAME, name)
            .endMetadata()
            .withNewSpec()
            .withUnschedulable(cordoned)
            .addToTaints(new TaintBuilder().withKey(TAINT).withEffect("NoSchedule").build())
            .endSpec()
            .withNewStatus()
            .addToCapacity("cpu", new Quantity("16"))
            .addToCapacity("memory", new Quantity("64Gi"))
            .addToCapacity("pods", new Quantity("110"))
            .addToAllocatable("cpu", new Quantity("16"))
            .addToAllocatable("memory", new Quantity("64Gi"))
            .addToAllocatable("pods", new Quantity("110"))
            .endStatus();
    if (kwok) {
      node.editMetadata()
          .addToLabels(SimulatedPods.NODE_LABEL, "true")
          .addToAnnotations("kwok.x-k8s.io/node", "fake")
          .endMetadata();
    }
    admin.nodes().resource(node.build()).create();
    nodes.add(name);
    return name;
  }

  /**
   * A pod spec for the nodes labelled {@code label=value} (a node's hostname, or a group of this
   * run's nodes), tolerating their taint.
   */
  private static PodSpec spec(String label, String value) {
    return new PodSpecBuilder()
        .addToTolerations(
            new TolerationBuilder()
                .withKey(TAINT)
                .withOperator("Exists")
                .withEffect("NoSchedule")
                .build())
        .addToNodeSelector(label, value)
        .addNewContainer()
        .withName("main")
        .withImage("busybox:1.36")
        .endContainer()
        .build();
  }

  /** A one-replica Deployment's pod on {@code node}, Ready. */
  private Pod replicatedPod(String app, String node) {
    return replicatedPod(app, node, false);
  }

  private Pod replicatedPod(String app, String node, boolean emptyDir) {
    PodSpec spec = spec(HOSTNAME, node);
    if (emptyDir) {
      spec =
          new PodSpecBuilder(spec)
              .addNewVolume()
              .withName("cache")
              .withNewEmptyDir()
              .endEmptyDir()
              .endVolume()
              .build();
    }
    admin
        .apps()
        .deployments()
        .inNamespace(namespace)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(app)
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", app)
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", app)
                .endMetadata()
                .withSpec(spec)
                .endTemplate()
                .endSpec()
                .build())
        .create();
    Eventually.await("a ready " + app + " pod on " + node, () -> readyOn(app, node), n -> n == 1);
    return podsOn(app, node).get(0);
  }

  private PodDisruptionBudget minAvailable(String name, int count, String app) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withMinAvailable(new IntOrString(count))
        .withNewSelector()
        .addToMatchLabels("app", app)
        .endSelector()
        .endSpec()
        .build();
  }

  /** maxUnavailable 0, its selector a match expression (which the budget lookup must handle). */
  private PodDisruptionBudget maxUnavailableZero(String name, String app) {
    return new PodDisruptionBudgetBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(0))
        .withNewSelector()
        .addToMatchExpressions(
            new LabelSelectorRequirementBuilder()
                .withKey("app")
                .withOperator("In")
                .withValues(app, "something-else")
                .build())
        .endSelector()
        .endSpec()
        .build();
  }

  private void budget(PodDisruptionBudget budget) {
    admin.policy().v1().podDisruptionBudget().inNamespace(namespace).resource(budget).create();
  }

  /** Waits until the disruption controller has counted the budget's pods. */
  private void awaitBudget(String name, int disruptionsAllowed) {
    Eventually.await(
        "budget " + name + " to allow " + disruptionsAllowed + " disruptions",
        () -> admin.policy().v1().podDisruptionBudget().inNamespace(namespace).withName(name).get(),
        p ->
            p.getStatus() != null
                && p.getStatus().getObservedGeneration() != null
                && p.getStatus().getObservedGeneration() >= p.getMetadata().getGeneration()
                && p.getStatus().getDisruptionsAllowed() == disruptionsAllowed);
  }

  private void uncordon(String node) {
    admin
        .nodes()
        .withName(node)
        .edit(
            n -> {
              n.getSpec().setUnschedulable(false);
              return n;
            });
  }

  private List<Pod> podsOn(String app, String node) {
    return admin
        .pods()
        .inNamespace(namespace)
        .withLabel("app", app)
        .withField("spec.nodeName", node)
        .list()
        .getItems();
  }

  private int readyOn(String app, String node) {
    return (int) podsOn(app, node).stream().filter(DrainPassIT::available).count();
  }

  private void awaitRunning(Pod pod) {
    Eventually.await(
        "pod " + pod.getMetadata().getName() + " to run",
        () -> admin.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get(),
        DrainPassIT::available);
  }

  private static boolean available(Pod pod) {
    return pod != null
        && pod.getMetadata().getDeletionTimestamp() == null
        && pod.getStatus() != null
        && pod.getStatus().getConditions() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  /**
   * Follows the app's pods as the informer sees each change, and keeps in {@code fewest} the fewest
   * available at any moment while {@code watching}.
   */
  private SharedIndexInformer<Pod> watchAvailable(
      String app, AtomicBoolean watching, AtomicInteger fewest) {
    Map<String, Pod> pods = new ConcurrentHashMap<>();
    Runnable count =
        () -> {
          if (watching.get()) {
            int available = (int) pods.values().stream().filter(DrainPassIT::available).count();
            fewest.accumulateAndGet(available, Math::min);
          }
        };
    SharedIndexInformer<Pod> informer =
        admin
            .pods()
            .inNamespace(namespace)
            .withLabel("app", app)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    pods.put(pod.getMetadata().getUid(), pod);
                    count.run();
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    pods.put(pod.getMetadata().getUid(), pod);
                    count.run();
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    pods.remove(pod.getMetadata().getUid());
                    count.run();
                  }
                });
    Eventually.await(
        "the informer to see the three web pods",
        () -> pods.values().stream().filter(DrainPassIT::available).count(),
        n -> n == 3);
    return informer;
  }

  private static Eviction eviction(Pod pod) {
    return new EvictionBuilder()
        .withNewMetadata()
        .withName(pod.getMetadata().getName())
        .withNamespace(pod.getMetadata().getNamespace())
        .endMetadata()
        .build();
  }
}
