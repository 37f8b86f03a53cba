package io.capstan.workflows.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.cluster.AutoscalingSpec;
import io.capstan.workflows.TaskQueues;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A cluster entity")
class ClusterWorkflowTest {
  static final String TWO_POOLS =
      """
      apiVersion: capstan.io/v1
      kind: Cluster
      metadata: {name: demo}
      spec:
        provider: simulated
        region: us-west-2
        nodePools:
          - name: general
            instanceType: m5.large
            minSize: 1
            desiredSize: 2
            maxSize: 5
            labels: {tier: standard}
          - name: gpu
            instanceType: p4d.24xlarge
            minSize: 1
            maxSize: 3
            labels: {accelerator: a100}
            taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
            gpu: {perNode: 8}
        readyTimeout: 5m
      """;

  private final FakeCloud cloud = new FakeCloud();
  private TestWorkflowEnvironment environment;
  private WorkflowClient client;
  private String controlPlane;

  /** Calls only a rollout makes; the cluster itself must never make them. */
  private final List<String> strayRolloutCalls = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** Which rollout runs are alive, as the cluster's periodic check asks. */
  private final Set<String> liveRollouts = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private final RolloutRunActivities rollouts =
      new RolloutRunActivities() {
        @Override
        public ClusterUpdates.RolloutLease begin(String cluster, ClusterUpdates.BeginRollout r) {
          strayRolloutCalls.add("begin " + r.rolloutId());
          return null;
        }

        @Override
        public void end(String cluster, ClusterUpdates.EndRollout request) {
          strayRolloutCalls.add("end " + request.rolloutId());
        }

        @Override
        public boolean running(String rolloutWorkflowId) {
          return liveRollouts.contains(rolloutWorkflowId);
        }
      };

  private final CountingReporter metrics = new CountingReporter();
  private Scope scope;

  @BeforeEach
  void start() {
    scope =
        new RootScopeBuilder()
            .reporter(metrics)
            .reportEvery(com.uber.m3.util.Duration.ofMillis(10));
    environment =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setMetricsScope(scope).build());
    controlPlane = "control-plane-" + UUID.randomUUID();
    environment
        .newWorker(controlPlane)
        .registerWorkflowImplementationTypes(ClusterWorkflowImpl.class);
    environment.newWorker(TaskQueues.ENTITY_CALLS).registerActivitiesImplementations(rollouts);
    Worker infrastructure = environment.newWorker(TaskQueues.INFRASTRUCTURE);
    infrastructure.registerActivitiesImplementations(cloud);
    // A GPU worker on each node the fake cloud will make (node-i-…1 to …12), as the GPU agent
    // DaemonSet of a real cluster would run.
    for (int n = 1; n <= 12; n++) {
      String node = "node-" + String.format("i-%017d", n);
      environment
          .newWorker(TaskQueues.gpu(node))
          .registerActivitiesImplementations(new FakeGpuNode(node, this::badGpuNode));
    }
    environment.start();
    client = environment.getWorkflowClient();
  }

  @AfterEach
  void stop() throws Exception {
    environment.close();
    scope.close();
  }

  /**
   * Which burn-ins fail: every node of {@link #badGpuPools}, and the first node burned in when
   * {@link #failFirstGpuNode} is set (pools come up in parallel, so which instance that is varies).
   */
  private final Set<String> badGpuPools = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private volatile boolean failFirstGpuNode;
  private final java.util.concurrent.atomic.AtomicReference<String> firstFailed =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** Whether a node's burn-in fails: every node of a bad pool, or the first one when asked. */
  private boolean badGpuNode(String node) {
    FakeCloud.FakeNode fake;
    synchronized (cloud) {
      fake = cloud.nodes.get(node);
    }
    return (fake != null && badGpuPools.contains(fake.pool))
        || (failFirstGpuNode
            && (firstFailed.compareAndSet(null, node) || node.equals(firstFailed.get())));
  }

  static ClusterDefinition cluster(String yaml) {
    return (ClusterDefinition) DefinitionParser.parse(yaml).get(0);
  }

  private ClusterWorkflow startCluster(String yaml, Integer historyLimit) {
    ClusterWorkflow stub =
        client.newWorkflowStub(
            ClusterWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(controlPlane)
                .setWorkflowId("cluster-" + UUID.randomUUID())
                .build());
    WorkflowClient.start(stub::run, new ClusterInput(cluster(yaml), null, historyLimit));
    return stub;
  }

  private ClusterStatus awaitStatus(ClusterWorkflow stub, Predicate<ClusterStatus> done) {
    for (int i = 0; i < 600; i++) {
      ClusterStatus status = stub.status();
      if (status != null && done.test(status)) {
        return status;
      }
      environment.sleep(Duration.ofSeconds(5));
    }
    throw new AssertionError("the cluster never got there: " + stub.status());
  }

  @Test
  @DisplayName("creates every pool, labels and taints its nodes, and reports Ready")
  void createsEveryPool() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    ClusterStatus status = awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);

    assertThat(cloud.groups)
        .containsOnlyKeys("capstan.default.demo.general", "capstan.default.demo.gpu");
    assertThat(cloud.groups.get("capstan.default.demo.general").cluster).isEqualTo("default/demo");
    assertThat(status.pools().get("general").ready()).isEqualTo(2);
    assertThat(status.pools().get("general").nodes())
        .hasSize(2)
        .allMatch(ClusterStatus.NodeStatus::ready);
    assertThat(status.pools().get("gpu").gpusPerNode()).isEqualTo(8);
    assertThat(cloud.nodesOf("general"))
        .allSatisfy(
            node -> {
              assertThat(node.labels)
                  .containsEntry("tier", "standard")
                  .containsEntry("capstan.io/pool", "general");
              assertThat(node.taints).isEmpty();
            });
    assertThat(cloud.nodesOf("gpu"))
        .singleElement()
        .satisfies(
            node ->
                assertThat(node.taints).extracting(t -> t.key()).containsExactly("nvidia.com/gpu"));
    assertThat(status.events())
        .extracting(ClusterEvent::type)
        .contains("GroupCreated", "NodesReady", "Ready");
    assertThat(status.cost().hourly()).isEqualTo(Math.round((2 * 0.096 + 32.77) * 100) / 100.0);
  }

  @Test
  @DisplayName(
      "burns in each GPU node before its pool is Ready; a node that fails is cordoned and replaced,"
          + " and its replacement is burned in")
  void gpuNodesAreValidated() throws Exception {
    failFirstGpuNode = true;
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    ClusterStatus status = awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);

    String bad = firstFailed.get();
    assertThat(bad).isNotNull();
    assertThat(cloud.calls)
        .contains("drain " + bad, "terminate " + bad.substring("node-".length()));
    assertThat(cloud.nodesOf("gpu"))
        .singleElement()
        .satisfies(n -> assertThat(n.name).isNotEqualTo(bad));
    assertThat(status.events())
        .filteredOn(e -> e.type().equals("GpuNodeFailed"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains(bad).contains("below 0.95"));
    assertThat(status.events())
        .extracting(ClusterEvent::type)
        .containsSubsequence("GpuNodeFailed", "GpuValidated", "Ready")
        .doesNotContain("GpuValidationSkipped");

    WorkflowStub.fromTyped(stub).cancel();
    var history = client.fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId());
    String directory = System.getProperty("capstan.recordHistories");
    if (directory != null) {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(directory, "cluster-gpu-node-replaced.json"), history.toJson(true));
    }
  }

  @Test
  @DisplayName("a GPU pool whose nodes keep failing their burn-in fails the creation, undone")
  void gpuPoolThatKeepsFailing() {
    badGpuPools.add("gpu");
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    ClusterStatus status = awaitStatus(stub, s -> s.phase() == ClusterPhase.Failed);
    assertThat(status.events()).filteredOn(e -> e.type().equals("GpuNodeFailed")).hasSize(3);
    assertThat(cloud.groups).isEmpty();
  }

  @Test
  @DisplayName("undoes a failed creation in reverse and fails saying what failed and what went")
  void undoesAFailedCreation() throws Exception {
    cloud.neverReadyPools.add("gpu");
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);

    assertThatThrownBy(() -> WorkflowStub.fromTyped(stub).getResult(ClusterStatus.class))
        .isInstanceOf(WorkflowFailedException.class)
        .rootCause()
        .hasMessageContaining(
            "cluster default/demo was not created: pool gpu: 1 of 1 nodes not Ready within the readyTimeout (5m)")
        .hasMessageContaining("container runtime network not ready")
        .hasMessageContaining("group capstan.default.demo.gpu (1 instance)")
        .hasMessageContaining("group capstan.default.demo.general (2 instances)");
    assertThat(cloud.groups).isEmpty();
    assertThat(cloud.nodes).isEmpty();
    assertThat(stub.status().phase()).isEqualTo(ClusterPhase.Failed);
    record(
        client.fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId()),
        "cluster-creation-undone.json");
  }

  @Test
  @DisplayName("runs operations one at a time: a scale waits for the one before it")
  void serializesOperations() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    List<String> original = List.copyOf(cloud.groups.get("capstan.default.demo.general").instances);
    WorkflowStub untyped = WorkflowStub.fromTyped(stub);

    WorkflowUpdateHandle<ClusterUpdates.Result> first =
        untyped.startUpdate(
            UpdateOptions.newBuilder(ClusterUpdates.Result.class)
                .setUpdateName(ClusterUpdates.SCALE)
                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                .build(),
            new ClusterUpdates.Scale("general", 4, null, null));
    WorkflowUpdateHandle<ClusterUpdates.Result> second =
        untyped.startUpdate(
            UpdateOptions.newBuilder(ClusterUpdates.Result.class)
                .setUpdateName(ClusterUpdates.SCALE)
                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                .build(),
            new ClusterUpdates.Scale("general", 3, null, null));

    assertThat(first.getResult().message()).isEqualTo("scaled general from 2 to 4 (min 1, max 5)");
    assertThat(second.getResult().message()).isEqualTo("scaled general from 4 to 3 (min 1, max 5)");
    ClusterStatus status = stub.status();
    assertThat(status.pools().get("general").desired()).isEqualTo(3);
    assertThat(cloud.nodesOf("general")).hasSize(3);
    // One of the two new nodes went, drained first; the original ones stayed.
    String drained =
        cloud.calls.stream()
            .filter(c -> c.startsWith("drain "))
            .findFirst()
            .orElseThrow()
            .substring("drain node-".length());
    assertThat(original)
        .doesNotContain(drained)
        .isSubsetOf(cloud.groups.get("capstan.default.demo.general").instances);
    assertThat(cloud.calls).containsSubsequence("drain node-" + drained, "terminate " + drained);
  }

  @Test
  @DisplayName("refuses an invalid operation with its reason, before it is accepted")
  void refusesInvalidOperations() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);

    assertThatThrownBy(() -> stub.scale(new ClusterUpdates.Scale("general", 2, 4, 3)))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("pool general: min 4 is more than max 3");
    assertThatThrownBy(() -> stub.scale(new ClusterUpdates.Scale("gpuu", 2, null, null)))
        .rootCause()
        .hasMessageContaining("unknown pool 'gpuu': the cluster has general, gpu");
    assertThatThrownBy(() -> stub.scale(new ClusterUpdates.Scale("general", 9, null, null)))
        .rootCause()
        .hasMessageContaining("desired 9 is outside min 1 .. max 5");
    assertThatThrownBy(() -> stub.removePool(new ClusterUpdates.RemovePool("nope")))
        .rootCause()
        .hasMessageContaining("unknown pool 'nope'");
    // A refused update leaves no trace in the history: it was never accepted.
    WorkflowExecutionHistory history =
        client.fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId());
    assertThat(history.getEvents())
        .noneMatch(
            e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED);
  }

  @Test
  @DisplayName(
      "lends a pool to one rollout at a time: its autoscaler waits, scaling, removing it or"
          + " deleting the cluster is refused, and the version the rollout ends with is the pool's")
  void lendsAPoolToOneRollout() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    liveRollouts.add("ru-1");
    ClusterUpdates.RolloutLease lease =
        stub.beginRollout(new ClusterUpdates.BeginRollout("ru-1", "general", "2"));
    assertThat(lease.desired()).isEqualTo(2);
    assertThat(lease.instances()).hasSize(2).allMatch(ClusterState.Instance::ready);
    assertThat(lease.groupName()).isEqualTo(lease.cluster().groupName("general"));
    // The same rollout asking again (an activity retried) gets the same pool.
    assertThat(stub.beginRollout(new ClusterUpdates.BeginRollout("ru-1", "general", "2")).desired())
        .isEqualTo(2);

    assertThatThrownBy(
            () -> stub.beginRollout(new ClusterUpdates.BeginRollout("ru-2", "general", "3")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("is being rolled by ru-1: one rollout per pool at a time");
    assertThatThrownBy(() -> stub.scale(new ClusterUpdates.Scale("general", 3, null, null)))
        .rootCause()
        .hasMessageContaining("pool general cannot be scaled while rollout ru-1 rolls it");
    assertThatThrownBy(() -> stub.removePool(new ClusterUpdates.RemovePool("general")))
        .rootCause()
        .hasMessageContaining("cannot be removed while rollout ru-1");
    assertThatThrownBy(() -> stub.delete(new ClusterUpdates.Delete("tidy up")))
        .rootCause()
        .hasMessageContaining("cannot be deleted with its cluster while rollout ru-1");
    // The other pool is not held.
    stub.scale(new ClusterUpdates.Scale("gpu", 2, null, null));

    stub.endRollout(new ClusterUpdates.EndRollout("ru-1", "general", "2", "rolled 2 nodes"));
    ClusterStatus status = stub.status();
    assertThat(status.pools().get("general").launchTemplateVersion()).isEqualTo("2");
    assertThat(status.pools().get("general").nodes())
        .hasSize(2)
        .allMatch(n -> n.name() != null && n.ready());
    assertThat(status.events())
        .extracting(ClusterEvent::type)
        .contains("RolloutStarted", "RolloutEnded");
    stub.scale(new ClusterUpdates.Scale("general", 3, null, null));
    assertThat(stub.status().pools().get("general").desired()).isEqualTo(3);
    assertThat(strayRolloutCalls).as("the cluster never begins or ends a rollout").isEmpty();
  }

  @Test
  @DisplayName("gives a pool back by itself when the rollout that held it is gone (terminated)")
  void releasesThePoolOfAGoneRollout() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    stub.beginRollout(new ClusterUpdates.BeginRollout("ru-gone", "general", "2"));
    ClusterStatus released =
        awaitStatus(stub, s -> s.events().stream().anyMatch(e -> e.type().equals("RolloutEnded")));
    assertThat(released.events().get(released.events().size() - 1).message())
        .contains("ru-gone ended without giving the pool back");
    assertThat(released.pools().get("general").launchTemplateVersion()).isNull();
    stub.scale(new ClusterUpdates.Scale("general", 3, null, null));
  }

  @Test
  @DisplayName("adds and removes pools, and deletion removes everything and completes the run")
  void addsRemovesAndDeletes() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);

    var extra =
        cluster(TWO_POOLS.replace("name: general", "name: batch"))
            .spec()
            .pool("batch")
            .orElseThrow();
    assertThat(stub.addPool(new ClusterUpdates.AddPool(extra)).message())
        .isEqualTo("added pool batch with 2 nodes");
    assertThat(cloud.groups).containsKey("capstan.default.demo.batch");
    assertThat(stub.removePool(new ClusterUpdates.RemovePool("batch")).message())
        .startsWith("removed pool batch: group capstan.default.demo.batch (2 instances)");
    assertThat(cloud.groups).doesNotContainKey("capstan.default.demo.batch");

    ClusterUpdates.Result deleted = stub.delete(new ClusterUpdates.Delete(null));

    assertThat(deleted.message())
        .startsWith("deleted cluster default/demo: group capstan.default.demo.gpu");
    assertThat(WorkflowStub.fromTyped(stub).getResult(ClusterStatus.class).phase())
        .isEqualTo(ClusterPhase.Deleted);
    assertThat(cloud.groups).isEmpty();
    assertThat(cloud.nodes).isEmpty();
  }

  @Test
  @DisplayName(
      "a pool whose pods cannot be evicted in time stays, in service, unless removal is forced")
  void removePoolRespectsDisruptionBudgets() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    String blocked;
    synchronized (cloud) {
      blocked = cloud.nodesOf("gpu").get(0).name;
      cloud.undrainable.add(blocked);
    }

    assertThatThrownBy(() -> stub.removePool(new ClusterUpdates.RemovePool("gpu")))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("pool gpu was not removed: pods could not be evicted within 5m")
        .hasMessageContaining("blocked by PodDisruptionBudget web")
        .hasMessageContaining("force: true");
    assertThat(cloud.groups).containsKey("capstan.default.demo.gpu");
    assertThat(cloud.nodes.get(blocked).cordoned).isFalse();

    assertThat(stub.removePool(new ClusterUpdates.RemovePool("gpu", true)).message())
        .contains("forced: pods that could not be evicted in time went with their nodes");
    assertThat(cloud.groups).doesNotContainKey("capstan.default.demo.gpu");
  }

  @Test
  @DisplayName(
      "autoscales: pending GPU pods grow the GPU pool, idle nodes shrink the general pool after the delay")
  void autoscales() {
    ClusterWorkflow stub =
        startCluster(
            TWO_POOLS.replace(
                "readyTimeout: 5m",
                "readyTimeout: 5m\n  autoscaling: {enabled: true, maxNodes: 10, scaleDownDelay: 10m}"),
            null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    synchronized (cloud) {
      cloud.pending =
          List.of(
              new ClusterLoad.PendingPod(
                  "ml",
                  "train-0",
                  4000,
                  8,
                  java.util.Map.of(),
                  List.of(
                      new ClusterLoad.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"))),
              new ClusterLoad.PendingPod(
                  "ml",
                  "train-1",
                  4000,
                  8,
                  java.util.Map.of(),
                  List.of(
                      new ClusterLoad.Toleration("nvidia.com/gpu", "Exists", null, "NoSchedule"))));
      // The GPU node is full too.
      cloud.nodesOf("gpu").forEach(n -> n.requestedGpus = 8);
    }

    ClusterStatus grown = awaitStatus(stub, s -> s.pools().get("gpu").desired() == 3);
    assertThat(grown.events())
        .filteredOn(e -> e.type().equals("AutoscalerScaleUp"))
        .extracting(ClusterEvent::message)
        .containsExactly(
            "scale up gpu 1 → 3: 2 pods unschedulable (cpu 8000m, 16 GPUs); GPU requests at 100% of"
                + " capacity, above the 50% target");
    synchronized (cloud) {
      cloud.pending = List.of();
      cloud.nodesOf("gpu").forEach(n -> n.requestedGpus = 8);
    }
    long before = environment.currentTimeMillis();

    ClusterStatus shrunk = awaitStatus(stub, s -> s.pools().get("general").desired() == 1);
    assertThat(environment.currentTimeMillis() - before)
        .isGreaterThanOrEqualTo(Duration.ofMinutes(10).toMillis());
    assertThat(shrunk.events())
        .filteredOn(e -> e.type().equals("AutoscalerScaleDown"))
        .extracting(ClusterEvent::message)
        .singleElement()
        .asString()
        .startsWith("scale down general 2 → 1: node node-i-")
        .contains("below the 50% target");
    // Never below the pool's minimum: half an hour more of rounds, and the history shows the one
    // drain and termination only.
    environment.sleep(Duration.ofMinutes(30));
    assertThat(stub.status().pools().get("general").desired()).isEqualTo(1);
    assertThat(stub.status().pools().get("gpu").desired()).isEqualTo(3);
    assertThat(scheduled(stub, "DrainNode")).isEqualTo(1);
    assertThat(scheduled(stub, "TerminateInstance")).isEqualTo(1);
  }

  /** How many times the run's (latest) history scheduled {@code activityType}. */
  private long scheduled(ClusterWorkflow stub, String activityType) {
    return client
        .fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId())
        .getEvents()
        .stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .filter(
            e ->
                e.getActivityTaskScheduledEventAttributes()
                    .getActivityType()
                    .getName()
                    .equals(activityType))
        .count();
  }

  @Test
  @DisplayName("canceling the run deletes the cluster: nothing keeps running that nothing tracks")
  void cancelDeletes() {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);

    WorkflowStub.fromTyped(stub).cancel();

    assertThatThrownBy(() -> WorkflowStub.fromTyped(stub).getResult(ClusterStatus.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(io.temporal.failure.CanceledFailure.class);
    assertThat(cloud.groups).isEmpty();
    assertThat(cloud.nodes).isEmpty();
    assertThat(stub.status().events())
        .extracting(ClusterEvent::message)
        .contains("deleting the cluster: the run was canceled");
  }

  @Test
  @DisplayName("raises each budget alert once, as an event, a metric and a webhook call")
  void raisesBudgetAlertsOnce() throws Exception {
    ClusterWorkflow stub =
        startCluster(
            TWO_POOLS.replace(
                "readyTimeout: 5m",
                "readyTimeout: 5m\n  budget: {monthlyLimit: 5000, alerts: [{thresholdPercent: 50, webhook: 'http://hooks.example/budget'}, {thresholdPercent: 1000}], onBudget: pause}"),
            null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    environment.sleep(Duration.ofHours(2));

    ClusterStatus status = stub.status();
    // Two hours of rounds past the crossing, and one webhook call in the history.
    assertThat(scheduled(stub, "PostWebhook")).isEqualTo(1);
    assertThat(status.alerts())
        .singleElement()
        .satisfies(
            a -> assertThat(a.message()).contains("passed 50% of the $5000.00 monthly budget"));
    assertThat(cloud.webhooks)
        .singleElement()
        .satisfies(body -> assertThat(body).containsEntry("thresholdPercent", 50));
    assertThat(status.autoscaling().scaleUpsHeld())
        .contains("over the $5000.00 budget (onBudget: pause)");
    assertThat(status.cost().total()).isGreaterThan(60.0);
    scope.close();
    // The SDK adds its own bounded tags (namespace, task queue, workflow type).
    assertThat(
            metrics.counters.entrySet().stream()
                .filter(e -> e.getKey().startsWith("capstan_cluster_budget_alerts{"))
                .filter(e -> e.getKey().contains("cluster=default/demo"))
                .filter(e -> e.getKey().contains("threshold_percent=50,"))
                .mapToLong(java.util.Map.Entry::getValue)
                .sum())
        .isEqualTo(1L);
    assertThat(metrics.counters.keySet())
        .noneMatch(k -> k.startsWith("capstan_cluster_budget_alerts") && k.contains("=1000"));
  }

  @Test
  @DisplayName("continues as new when its history grows, keeping pools, events and cost")
  void continuesAsNew() {
    ClusterWorkflow stub =
        startCluster(
            TWO_POOLS.replace(
                "readyTimeout: 5m",
                "readyTimeout: 5m\n  autoscaling: {enabled: true, scaleDownDelay: 10m}"),
            150);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    // 45% of each general node's CPU is requested: under the 50% target, but one node could not
    // take the other's pods without passing it, so neither goes.
    synchronized (cloud) {
      cloud.nodesOf("general").forEach(n -> n.requestedCpuMilli = 900);
    }
    String firstRun = WorkflowStub.fromTyped(stub).getExecution().getRunId();

    environment.sleep(Duration.ofHours(1));

    String workflowId = WorkflowStub.fromTyped(stub).getExecution().getWorkflowId();
    ClusterWorkflow latest = client.newWorkflowStub(ClusterWorkflow.class, workflowId);
    ClusterStatus status = latest.status();
    assertThat(client.fetchHistory(workflowId).getLastEvent().getEventType())
        .isNotEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    assertThat(client.fetchHistory(workflowId, firstRun).getLastEvent().getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    assertThat(status.phase()).isEqualTo(ClusterPhase.Ready);
    assertThat(status.pools().get("general").nodes()).hasSize(2);
    assertThat(status.events()).extracting(ClusterEvent::type).contains("Ready");
    assertThat(status.cost().total()).isGreaterThan(30.0);
    assertThat(
            latest
                .setAutoscaling(new ClusterUpdates.SetAutoscaling(AutoscalingSpec.disabled()))
                .message())
        .isEqualTo("autoscaling off");
  }

  @Test
  @DisplayName("replays its own history: creation, a scale, a refused update and deletion")
  void replaysItsHistory() throws Exception {
    ClusterWorkflow stub = startCluster(TWO_POOLS, null);
    awaitStatus(stub, s -> s.phase() == ClusterPhase.Ready);
    stub.scale(new ClusterUpdates.Scale("general", 3, null, null));
    stub.delete(new ClusterUpdates.Delete("test"));
    WorkflowStub.fromTyped(stub).getResult(ClusterStatus.class);

    WorkflowExecutionHistory history =
        client.fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId());
    WorkflowReplayer.replayWorkflowExecution(history, ClusterWorkflowImpl.class);
    record(history, "cluster-scaled-deleted.json");
  }

  /**
   * Writes a history for {@code ReplayTest} when {@code -Dcapstan.recordClusterHistories=DIR} is
   * given (through surefire's argLine): how the recorded histories were made.
   */
  private static void record(WorkflowExecutionHistory history, String file) throws Exception {
    String directory = System.getProperty("capstan.recordClusterHistories");
    if (directory != null) {
      Files.writeString(Path.of(directory, file), history.toJson(true));
    }
  }
}
