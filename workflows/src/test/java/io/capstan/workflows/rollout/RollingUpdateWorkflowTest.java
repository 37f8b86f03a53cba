package io.capstan.workflows.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.RollingUpdateDefinition;
import io.capstan.definitions.cluster.CloudProvider;
import io.capstan.definitions.cluster.ClusterNetwork;
import io.capstan.definitions.cluster.LaunchTemplateRef;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.definitions.cluster.PoolGpuSpec;
import io.capstan.definitions.rollout.Checkpoint;
import io.capstan.definitions.rollout.RollingUpdateSpec;
import io.capstan.definitions.rollout.RolloutOnFailure;
import io.capstan.definitions.rollout.RolloutStrategy;
import io.capstan.definitions.rollout.RolloutWindow;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.cluster.CloudActivities;
import io.capstan.workflows.cluster.ClusterRef;
import io.capstan.workflows.cluster.CountingReporter;
import io.capstan.workflows.cluster.FakeCloud;
import io.capstan.workflows.cluster.FakeGpuNode;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A rolling update of a node pool")
class RollingUpdateWorkflowTest {
  private static final ClusterRef REF =
      new ClusterRef(
          "default", "prod", CloudProvider.SIMULATED, "us-west-2", ClusterNetwork.EMPTY, null);

  private final FakeCloud cloud = new FakeCloud();
  private TestWorkflowEnvironment environment;
  private WorkflowClient client;
  private FakeEntity entity;
  private String group;

  /** Starts the environment at {@code start} with a pool of {@code nodes} nodes on version 1. */
  private void start(Instant start, int nodes) {
    start(start, nodes, null);
  }

  /** Nodes whose GPU burn-in fails. */
  private final java.util.Set<String> badGpuNodes =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  private void start(Instant start, int nodes, PoolGpuSpec gpu) {
    scope =
        new RootScopeBuilder()
            .reporter(metrics)
            .reportEvery(com.uber.m3.util.Duration.ofMillis(10));
    environment =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setInitialTime(start)
                .setMetricsScope(scope)
                .build());
    String name = gpu == null ? "general" : "gpu";
    NodePoolSpec pool =
        new NodePoolSpec(
            name,
            gpu == null ? "m5.large" : "p4d.24xlarge",
            new LaunchTemplateRef("k8s-node", "1"),
            1,
            nodes,
            nodes * 2,
            Map.of("tier", "standard"),
            List.of(),
            null,
            gpu,
            List.of(),
            null);
    cloud.ensureGroup(new CloudActivities.EnsureGroupRequest(REF, pool, nodes));
    group = REF.groupName(name);
    if (gpu != null) {
      // A GPU worker on each node the fake cloud will make, as a GPU agent DaemonSet would run.
      for (int n = 1; n <= 12; n++) {
        String node = "node-" + String.format("i-%017d", n);
        environment
            .newWorker(TaskQueues.gpu(node))
            .registerActivitiesImplementations(new FakeGpuNode(node, badGpuNodes::contains));
      }
    }
    entity = new FakeEntity(cloud, REF, pool);
    environment
        .newWorker(TaskQueues.CONTROL_PLANE)
        .registerWorkflowImplementationTypes(RollingUpdateWorkflowImpl.class);
    environment.newWorker(TaskQueues.ENTITY_CALLS).registerActivitiesImplementations(entity);
    environment.newWorker(TaskQueues.INFRASTRUCTURE).registerActivitiesImplementations(cloud);
    environment.start();
    client = environment.getWorkflowClient();
  }

  private final CountingReporter metrics = new CountingReporter();
  private Scope scope;

  @AfterEach
  void stop() throws Exception {
    if (environment != null) {
      environment.close();
    }
    if (scope != null) {
      scope.close();
    }
  }

  /** The sum of a counter (or count of a timer) over every tag set it was reported with. */
  private long reported(Map<String, Long> values, String name) {
    return values.entrySet().stream()
        .filter(e -> e.getKey().startsWith(name + "{") && e.getKey().contains("pool=general"))
        .mapToLong(Map.Entry::getValue)
        .sum();
  }

  private static RollingUpdateDefinition rollout(
      RolloutStrategy strategy,
      List<Checkpoint> checkpoints,
      RolloutWindow window,
      RolloutOnFailure onFailure) {
    return rollout("general", strategy, checkpoints, window, onFailure);
  }

  private static RollingUpdateDefinition rollout(
      String pool,
      RolloutStrategy strategy,
      List<Checkpoint> checkpoints,
      RolloutWindow window,
      RolloutOnFailure onFailure) {
    return new RollingUpdateDefinition(
        "capstan.io/v1",
        RollingUpdateDefinition.KIND,
        new Metadata("general-to-v2", "default", Map.of()),
        new RollingUpdateSpec(
            "prod",
            pool,
            new LaunchTemplateRef(null, "2"),
            strategy,
            checkpoints,
            null,
            window,
            onFailure));
  }

  private static RolloutStrategy strategy(String surge, String unavailable, boolean force) {
    return new RolloutStrategy(
        surge, unavailable, Duration.ofMinutes(10), Duration.ofMinutes(2), null, force, null);
  }

  private RollingUpdateWorkflow begin(RollingUpdateDefinition definition) {
    RollingUpdateWorkflow stub =
        client.newWorkflowStub(
            RollingUpdateWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("rollingupdate-default-general-to-v2-" + UUID.randomUUID())
                .build());
    WorkflowClient.start(stub::run, RolloutInput.create(definition, "cluster-default-prod"));
    return stub;
  }

  private RolloutStatus await(RollingUpdateWorkflow stub, Predicate<RolloutStatus> condition) {
    for (int i = 0; i < 600; i++) {
      RolloutStatus status = stub.status();
      if (status != null && condition.test(status)) {
        return status;
      }
      environment.sleep(Duration.ofSeconds(5));
    }
    throw new AssertionError("condition not reached: " + stub.status());
  }

  private List<String> versions() {
    synchronized (cloud) {
      FakeCloud.Group g = cloud.groups.get(group);
      return g.instances.stream().map(g.versions::get).toList();
    }
  }

  private long count(String call) {
    synchronized (cloud) {
      return cloud.calls.stream().filter(c -> c.equals(call)).count();
    }
  }

  @Test
  @DisplayName(
      "rolls 10 nodes with maxSurge 2 / maxUnavailable 1: never fewer than 9 Ready nor more than"
          + " 12 instances, each old node cordoned and terminated once, the pool given back on v2")
  void rollsWithinItsBudget() throws Exception {
    start(Instant.parse("2026-12-07T10:00:00Z"), 10);
    List<String> old = List.copyOf(cloud.groups.get(REF.groupName("general")).instances);
    RollingUpdateWorkflow stub = begin(rollout(strategy("2", "1", false), List.of(), null, null));
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);

    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(versions()).hasSize(10).containsOnly("2");
    assertThat(cloud.leastAvailable.get("general")).isGreaterThanOrEqualTo(9);
    assertThat(cloud.mostInstances.get("general")).isLessThanOrEqualTo(12);
    for (String instance : old) {
      assertThat(count("cordon node-" + instance)).as("cordons of " + instance).isEqualTo(1);
      assertThat(count("terminate " + instance)).as("terminations of " + instance).isEqualTo(1);
    }
    synchronized (cloud) {
      FakeCloud.Group g = cloud.groups.get(group);
      assertThat(g.desired).isEqualTo(10);
      assertThat(g.version).isEqualTo("2");
      assertThat(g.min).isEqualTo(1);
      assertThat(g.max).isEqualTo(20);
    }
    assertThat(entity.endedWith).isEqualTo("2");
    assertThat(done.nodes().values())
        .filteredOn(n -> n.phase() == NodePhase.Terminated)
        .hasSize(10);
    assertThat(done.outcome()).contains("rolled 10 nodes", "version 2");
    scope.close();
    assertThat(reported(metrics.counters, "capstan_rollout_nodes_rolled")).isEqualTo(10);
    assertThat(reported(metrics.timers, "capstan_rollout_drain")).isEqualTo(10);

    replayAndRecord(stub, "rollout-completed.json");
  }

  /**
   * Replays the run's history against the current code; {@code
   * -Dcapstan.recordRolloutHistories=DIR} (through surefire's argLine) writes it for ReplayTest.
   */
  private void replayAndRecord(RollingUpdateWorkflow stub, String file) throws Exception {
    WorkflowExecutionHistory history =
        client.fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId());
    WorkflowReplayer.replayWorkflowExecution(history, RollingUpdateWorkflowImpl.class);
    String directory = System.getProperty("capstan.recordRolloutHistories");
    if (directory != null) {
      Files.writeString(Path.of(directory, file), history.toJson(true));
    }
  }

  @Test
  @DisplayName(
      "with maxSurge 0 / maxUnavailable 1 the pool never grows, and a checkpoint at 50% pauses"
          + " until resume")
  void checkpointPausesUntilResumed() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 4);
    RollingUpdateWorkflow stub =
        begin(
            rollout(
                strategy("0", "1", false),
                List.of(new Checkpoint(50, null, true), new Checkpoint(100, null, null)),
                null,
                null));
    RolloutStatus at = await(stub, s -> s.phase() == RolloutPhase.AtCheckpoint);
    assertThat(at.reason()).contains("checkpoint 50%");
    assertThat(versions()).filteredOn("2"::equals).hasSize(2);
    stub.resume();
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(cloud.mostInstances.get("general")).isEqualTo(4);
    assertThat(cloud.leastAvailable.get("general")).isGreaterThanOrEqualTo(3);
  }

  @Test
  @DisplayName(
      "a drain blocked by a PDB pauses past drainTimeout naming the pod and its PDB; force is"
          + " refused without strategy.force, skip leaves the node out and the rollout completes")
  void blockedDrainThenSkip() throws Exception {
    start(Instant.parse("2026-12-07T10:00:00Z"), 3);
    String blocked = "node-" + cloud.groups.get(REF.groupName("general")).instances.get(0);
    cloud.pdbBlocked.add(blocked);
    RollingUpdateWorkflow stub = begin(rollout(strategy("1", "0", false), List.of(), null, null));
    RolloutStatus status = await(stub, s -> s.phase() == RolloutPhase.Blocked);
    assertThat(status.reason())
        .contains(
            "node " + blocked,
            "drain past its timeout (10m)",
            "pod default/web-" + blocked + " blocked by PDB web-pdb, 0 disruptions allowed");
    assertThat(status.nodes().get(blocked).phase()).isEqualTo(NodePhase.Blocked);

    stub.force(new RollingUpdateWorkflow.DrainAnswer(blocked, null));
    status = await(stub, s -> s.events().stream().anyMatch(e -> e.type().equals("ForceRefused")));
    assertThat(status.phase()).isEqualTo(RolloutPhase.Blocked);
    assertThat(count("deletePods " + blocked + " [default/web-" + blocked + "]")).isZero();

    stub.skip(new RollingUpdateWorkflow.DrainAnswer(null, null));
    // Each drain pass refused by the PDB counts.
    assertThat(reported(metrics.counters, "capstan_rollout_evictions_blocked")).isPositive();
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(done.nodes().get(blocked).phase()).isEqualTo(NodePhase.Skipped);
    assertThat(done.outcome()).contains("skipped", blocked);
    synchronized (cloud) {
      assertThat(cloud.nodes.get(blocked).cordoned).isFalse();
      assertThat(cloud.groups.get(group).instances).hasSize(3);
    }
    assertThat(versions()).containsExactlyInAnyOrder("1", "2", "2");
    replayAndRecord(stub, "rollout-blocked-skipped.json");
  }

  @Test
  @DisplayName("force, when the strategy allows it, deletes the blocking pod and the drain ends")
  void forceDeletesTheBlockingPod() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 2);
    String blocked = "node-" + cloud.groups.get(REF.groupName("general")).instances.get(0);
    cloud.pdbBlocked.add(blocked);
    RollingUpdateWorkflow stub = begin(rollout(strategy("1", "0", true), List.of(), null, null));
    await(stub, s -> s.phase() == RolloutPhase.Blocked);
    stub.force(new RollingUpdateWorkflow.DrainAnswer(blocked, null));
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(count("deletePods " + blocked + " [default/web-" + blocked + "]")).isEqualTo(1);
    assertThat(versions()).containsOnly("2");
  }

  @Test
  @DisplayName(
      "abort of a blocked drain uncordons the node, sets the group back to version 1 and fails"
          + " the run saying what it left")
  void abortPutsThingsBack() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 2);
    String blocked = "node-" + cloud.groups.get(REF.groupName("general")).instances.get(0);
    cloud.pdbBlocked.add(blocked);
    RollingUpdateWorkflow stub = begin(rollout(strategy("1", "0", false), List.of(), null, null));
    await(stub, s -> s.phase() == RolloutPhase.Blocked);
    stub.abort("the PDB owner is away");
    assertThatThrownBy(() -> WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOf(ApplicationFailure.class)
        .hasMessageContaining("aborted: the PDB owner is away")
        .hasMessageContaining("launches version 1 again");
    synchronized (cloud) {
      assertThat(cloud.nodes.get(blocked).cordoned).isFalse();
      assertThat(cloud.groups.get(group).version).isEqualTo("1");
    }
    assertThat(entity.endedWith).isEqualTo("1");
    assertThat(stub.status().phase()).isEqualTo(RolloutPhase.Aborted);
  }

  @Test
  @DisplayName(
      "a failure on batch 2 with onFailure: rollback restores version 1 on every node and fails"
          + " the run as rolled back")
  void rollbackOnBatchTwo() throws Exception {
    start(Instant.parse("2026-12-07T10:00:00Z"), 4);
    cloud.goodLaunches = 1;
    RollingUpdateWorkflow stub =
        begin(rollout(strategy("1", "0", false), List.of(), null, RolloutOnFailure.ROLLBACK));
    assertThatThrownBy(() -> WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .hasMessageContaining("rolled back to version 1")
        .hasMessageContaining("batch 2");
    assertThat(versions()).hasSize(4).containsOnly("1");
    synchronized (cloud) {
      assertThat(cloud.groups.get(group).version).isEqualTo("1");
      assertThat(cloud.nodes.values()).noneMatch(n -> n.cordoned);
    }
    assertThat(entity.endedWith).isEqualTo("1");
    assertThat(stub.status().phase()).isEqualTo(RolloutPhase.RolledBack);
    replayAndRecord(stub, "rollout-rolled-back.json");
  }

  @Test
  @DisplayName(
      "setStrategy validates its values and changes the surge for the batches to come; a second"
          + " rollout of the same pool is refused while the first holds it")
  void setStrategyAndOneRolloutPerPool() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 4);
    String blocked = "node-" + cloud.groups.get(REF.groupName("general")).instances.get(0);
    cloud.pdbBlocked.add(blocked);
    RollingUpdateWorkflow stub = begin(rollout(strategy("1", "0", false), List.of(), null, null));
    await(stub, s -> s.phase() == RolloutPhase.Blocked);
    assertThatThrownBy(() -> stub.setStrategy(new RollingUpdateWorkflow.SetStrategy("two", null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("maxSurge takes a count (2) or a percentage");
    assertThatThrownBy(() -> stub.setStrategy(new RollingUpdateWorkflow.SetStrategy("0", "0")))
        .isInstanceOf(WorkflowUpdateException.class)
        .hasStackTraceContaining("both 0");
    RolloutStatus changed = stub.setStrategy(new RollingUpdateWorkflow.SetStrategy("2", null));
    assertThat(changed.strategy().surge()).isEqualTo(2);

    // Waited for in bounded steps: a blocking wait would let the test server skip time to the
    // first rollout's run timeout, since that one waits for an answer with no timer.
    RollingUpdateWorkflow second = begin(rollout(strategy("1", "0", false), List.of(), null, null));
    String secondId = WorkflowStub.fromTyped(second).getExecution().getWorkflowId();
    io.temporal.api.history.v1.HistoryEvent closed = null;
    for (int i = 0; i < 60 && closed == null; i++) {
      var events = client.fetchHistory(secondId).getEvents();
      var last = events.get(events.size() - 1);
      if (last.getEventType()
          == io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED) {
        closed = last;
      } else {
        environment.sleep(Duration.ofSeconds(1));
      }
    }
    assertThat(closed).as("the second rollout failed").isNotNull();
    assertThat(closed.getWorkflowExecutionFailedEventAttributes().getFailure().getMessage())
        .contains("is being rolled by");

    // As the stock CLI sends it: `temporal workflow signal --name skip` without input.
    client
        .newUntypedWorkflowStub(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId())
        .signal(RollingUpdateWorkflow.SKIP);
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(cloud.mostInstances.get("general")).isLessThanOrEqualTo(6);
  }

  @Test
  @DisplayName(
      "with maxUnavailable 1 a last batch that drained more than it surged is followed by a"
          + " surge: the pool ends at its size")
  void endsAtTheSizeItHad() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 4);
    RollingUpdateWorkflow stub = begin(rollout(strategy("1", "1", false), List.of(), null, null));
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(versions()).hasSize(4).containsOnly("2");
    synchronized (cloud) {
      assertThat(cloud.groups.get(group).desired).isEqualTo(4);
    }
    assertThat(cloud.leastAvailable.get("general")).isGreaterThanOrEqualTo(3);
    assertThat(cloud.mostInstances.get("general")).isLessThanOrEqualTo(5);
  }

  @Test
  @DisplayName(
      "a long rollout continues as new between batches, carrying its nodes and events: each node"
          + " cordoned and terminated once, every node rolled")
  void continuesAsNewBetweenBatches() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 6);
    List<String> old = List.copyOf(cloud.groups.get(group).instances);
    RollingUpdateWorkflow stub =
        client.newWorkflowStub(
            RollingUpdateWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("rollingupdate-default-long-" + UUID.randomUUID())
                .build());
    WorkflowClient.start(
        stub::run,
        new RolloutInput(
            rollout(strategy("1", "0", false), List.of(), null, null),
            "cluster-default-prod",
            null,
            60));
    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    assertThat(done.batch()).isEqualTo(6);
    assertThat(done.events()).extracting(RolloutEvent::type).contains("Started", "Completed");
    assertThat(versions()).hasSize(6).containsOnly("2");
    for (String instance : old) {
      assertThat(count("cordon node-" + instance)).isEqualTo(1);
      assertThat(count("terminate " + instance)).isEqualTo(1);
    }
    long runs =
        client
            .fetchHistory(WorkflowStub.fromTyped(stub).getExecution().getWorkflowId())
            .getEvents()
            .size();
    assertThat(runs).as("the last run's history is short").isLessThan(200);
    assertThat(entity.calls).filteredOn(c -> c.startsWith("begin")).hasSize(1);
    var first = WorkflowStub.fromTyped(stub).getExecution();
    var firstRun = client.fetchHistory(first.getWorkflowId(), first.getRunId()).getEvents();
    assertThat(firstRun.get(firstRun.size() - 1).getEventType())
        .isEqualTo(
            io.temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
  }

  @Test
  @DisplayName(
      "a GPU pool's new nodes pass their burn-in before an old node is drained; a new node that"
          + " fails it is removed again and onFailure: abort stops the rollout with the reason")
  void gpuPoolsBurnInNewNodes() {
    start(Instant.parse("2026-12-07T10:00:00Z"), 2, new PoolGpuSpec(8, null));
    // The fake cloud numbers instances in order: 1 and 2 are the pool's, 3 the first surge.
    String firstNew = "node-" + String.format("i-%017d", 3);
    String secondNew = "node-" + String.format("i-%017d", 4);
    badGpuNodes.add(secondNew);
    RollingUpdateWorkflow stub =
        begin(rollout("gpu", strategy("1", "0", false), List.of(), null, RolloutOnFailure.ABORT));
    assertThatThrownBy(() -> WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .hasMessageContaining("node " + secondNew + " failed its GPU burn-in")
        .hasMessageContaining("700.0 TFLOPS");
    RolloutStatus status = stub.status();
    assertThat(status.events())
        .anyMatch(e -> e.type().equals("GpuValidated") && firstNew.equals(e.node()));
    assertThat(status.nodes().get(secondNew).phase()).isEqualTo(NodePhase.Failed);
    synchronized (cloud) {
      assertThat(cloud.nodes).doesNotContainKey(secondNew);
      assertThat(cloud.groups.get(group).instances).hasSize(2);
    }
    // The first batch's old node went only after its replacement passed.
    assertThat(cloud.calls)
        .containsSubsequence(
            "configureNodes gpu [" + firstNew + "]", "cordon node-" + String.format("i-%017d", 1));
  }

  @Test
  @DisplayName(
      "a window outside the current time holds the rollout until it opens, in its time zone,"
          + " across the spring-forward gap")
  void windowAcrossDaylightSaving() {
    // Saturday 28 March 2026, 23:00 UTC = midnight in Paris; that night clocks go 02:00 → 03:00.
    start(Instant.parse("2026-03-28T23:00:00Z"), 2);
    RolloutWindow window = new RolloutWindow("30 2 * * *", Duration.ofHours(2), "Europe/Paris");
    RollingUpdateWorkflow stub = begin(rollout(strategy("1", "0", false), List.of(), window, null));
    RolloutStatus waiting = await(stub, s -> s.phase() == RolloutPhase.WaitingForWindow);
    Instant opens = window.nextOpen(Instant.parse("2026-03-28T23:00:00Z"));
    // 02:30 does not exist on 29 March in Paris: the window opens just after the gap, 03:00 CEST.
    assertThat(opens).isEqualTo(Instant.parse("2026-03-29T01:00:00Z"));
    assertThat(waiting.reason()).contains("Europe/Paris", "2026-03-29T03:00+02:00");
    assertThat(count("cordon node-" + cloud.groups.get(group).instances.get(0))).isZero();

    RolloutStatus done = WorkflowStub.fromTyped(stub).getResult(RolloutStatus.class);
    assertThat(done.phase()).isEqualTo(RolloutPhase.Completed);
    Instant firstBatch =
        done.events().stream()
            .filter(e -> e.type().equals("Batch"))
            .map(e -> Instant.parse(e.at()))
            .findFirst()
            .orElseThrow();
    assertThat(firstBatch).isAfterOrEqualTo(opens).isBefore(opens.plus(Duration.ofMinutes(5)));
  }
}
