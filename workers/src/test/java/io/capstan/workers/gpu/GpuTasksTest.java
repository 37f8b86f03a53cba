package io.capstan.workers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.gpu.GpuHost;
import io.capstan.gpu.SimulatedGpus;
import io.capstan.workers.WorkerSettings;
import io.capstan.workers.controlplane.ControlPlaneWorker;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.gpu.GpuActivities;
import io.capstan.workflows.gpu.GpuFleetWorkflow;
import io.capstan.workflows.gpu.HostActivities;
import io.capstan.workflows.gpu.LeaseTable;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.activity.Activity;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DataConverter;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code gpu} tasks end to end on simulated GPU hosts: pipelines lease devices from the fleet, run
 * on the leased hosts' queues through the real GPU worker wiring, and release. Real time (no time
 * skipping): a host is "killed" by freezing it — its liveness stops heartbeating and its device
 * work hangs, as a host that lost power does.
 */
@DisplayName("gpu tasks on simulated GPU hosts")
class GpuTasksTest {
  static final List<String> HOSTS = List.of("gpu-a", "gpu-b", "gpu-c");
  static final Duration LIVENESS = Duration.ofSeconds(2);

  private final Set<String> frozen = ConcurrentHashMap.newKeySet();

  /** Opened when a host is frozen: its liveness stops beating at once. */
  private final Map<String, CountDownLatch> freezes = new ConcurrentHashMap<>();

  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Map<String, Integer> started = new ConcurrentHashMap<>();
  private TestWorkflowEnvironment environment;
  private WorkflowClient client;

  /** The liveness watch of a host that can be frozen. */
  final class FreezableLiveness implements HostActivities {
    @Override
    public void watch(String host) {
      try {
        CountDownLatch freeze = freezes.computeIfAbsent(host, h -> new CountDownLatch(1));
        do {
          Activity.getExecutionContext().heartbeat(host);
        } while (!freeze.await(100, TimeUnit.MILLISECONDS));
        stopped.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (io.temporal.client.ActivityCompletionException replaced) {
        // Canceled by a newer registration.
      }
    }
  }

  /**
   * Simulated work takes at most 30 ms per window, paced as up paces it (so leases overlap); a
   * frozen host's work never returns.
   */
  private LongConsumer pacer(String host) {
    LongConsumer paced = SimulatedGpus.sleeping();
    return nanos -> {
      started.merge(host, 1, Integer::sum);
      if (frozen.contains(host)) {
        try {
          stopped.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("the test ended");
      }
      paced.accept(Math.min(nanos, 30_000_000L));
    };
  }

  @BeforeEach
  void start() {
    environment =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    client = environment.getWorkflowClient();
    WorkerFactory factory = environment.getWorkerFactory();
    ControlPlaneWorker.register(factory, new WorkerSettings(false, "control-plane", 50, 50));
  }

  @AfterEach
  void stop() {
    stopped.countDown();
    environment.close();
  }

  /** Starts the hosts' workers and registers them (the first registration starts the fleet). */
  private void hosts(Map<String, SimulatedGpus> backends) {
    WorkerFactory factory = environment.getWorkerFactory();
    List<GpuHost> hosts = new ArrayList<>();
    backends.forEach(
        (name, backend) -> {
          GpuHost host = new GpuHost(name, backend, Map.of("zone", "test"));
          GpuWorker.register(factory, host, new FreezableLiveness());
          hosts.add(host);
        });
    environment.start();
    GpuActivities.BurnInRequest validation =
        new GpuActivities.BurnInRequest(
            List.of(), "bf16", 64, Duration.ofMillis(90), Duration.ofMillis(30), null);
    for (GpuHost host : hosts) {
      assertThat(
              host.register(
                  client,
                  TaskQueues.CONTROL_PLANE,
                  new GpuFleetWorkflow.FleetInput(LIVENESS, validation)))
          .isEqualTo(4);
    }
  }

  private static SimulatedGpus healthy(String host, LongConsumer pacer) {
    return SimulatedGpus.of(host, 4, pacer);
  }

  private PipelineWorkflow pipeline(String yaml) {
    PipelineDefinition definition = (PipelineDefinition) DefinitionParser.parse(yaml).get(0);
    PipelineWorkflow run =
        client.newWorkflowStub(
            PipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("run-" + UUID.randomUUID())
                .build());
    WorkflowClient.start(run::run, PipelineInput.of(definition, Map.of()));
    return run;
  }

  private static RunState finished(PipelineWorkflow run) {
    return Awaitility.await("the run's end")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .until(
            run::status,
            s ->
                Set.of(RunPhase.SUCCEEDED, RunPhase.FAILED, RunPhase.CANCELED).contains(s.phase()));
  }

  private GpuFleetWorkflow fleet() {
    return client.newWorkflowStub(GpuFleetWorkflow.class, GpuFleetWorkflow.ID);
  }

  @Test
  @DisplayName(
      "100 concurrent gpu tasks over 3 hosts × 4 devices: never a double lease, every lease"
          + " released; a killed host's tasks finish elsewhere; a bad device is quarantined and"
          + " never leased again")
  void hundredTasks() {
    Map<String, SimulatedGpus> backends = new java.util.LinkedHashMap<>();
    for (String host : HOSTS) {
      backends.put(host, healthy(host, pacer(host)));
    }
    // Device 2 of gpu-a computes wrong results from its second window on.
    List<SimulatedGpus.Device> planted = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      SimulatedGpus.Device device = SimulatedGpus.Device.healthy("Simulated H200", 141L << 30, 989);
      planted.add(i == 2 ? device.failing(SimulatedGpus.Fault.WRONG_RESULTS, 2) : device);
    }
    backends.put("gpu-a", new SimulatedGpus("gpu-a", planted, pacer("gpu-a")));
    hosts(backends);

    StringBuilder yaml =
        new StringBuilder(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: burn-all}
            spec:
              parallelism: 100
              defaults:
                retry: {maxAttempts: 4, backoff: fixed, interval: 100ms}
              tasks:
            """);
    for (int i = 0; i < 100; i++) {
      yaml.append("    - name: burn-")
          .append(i)
          .append("\n      gpu: {devices: 1, op: burn-in, duration: 90ms}\n");
    }
    PipelineWorkflow run = pipeline(yaml.toString());

    // Once gpu-c has started work, it dies: its liveness and its device work fall silent.
    Awaitility.await("work on gpu-c")
        .atMost(Duration.ofSeconds(30))
        .until(() -> started.getOrDefault("gpu-c", 0) >= 8);
    frozen.add("gpu-c");
    freezes.computeIfAbsent("gpu-c", h -> new CountDownLatch(1)).countDown();

    RunState state = finished(run);
    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks()).hasSize(100);
    assertThat(state.tasks().values()).allMatch(t -> t.state() == TaskPhase.SUCCEEDED);

    Audit audit = audit();
    assertThat(audit.doubleGrants).as("devices granted while held").isEmpty();
    assertThat(audit.held).as("leases never released nor revoked").isEmpty();
    assertThat(audit.revokedOn).as("gpu-c's leases were revoked").containsKey("gpu-c");
    assertThat(audit.grantsAfterLoss).as("grants to gpu-c once it was lost").isZero();
    assertThat(audit.quarantined).contains("gpu-a/2");
    assertThat(audit.grantsAfterQuarantine).as("grants of gpu-a/2 once quarantined").isZero();
    // Tasks that were on gpu-c when it died ended elsewhere, on their retry.
    List<TaskState> moved = state.tasks().values().stream().filter(t -> t.attempts() > 1).toList();
    assertThat(moved).isNotEmpty();
    assertThat(state.tasks().values())
        .filteredOn(t -> "gpu-c".equals(t.host()))
        .allMatch(t -> t.attempts() == 1);

    GpuFleetWorkflow.FleetStatus fleet =
        Awaitility.await("the bad device's validation")
            .atMost(Duration.ofSeconds(30))
            .until(
                fleet()::status,
                s ->
                    s.hosts().get("gpu-a").get(2).health() == LeaseTable.Health.RETIRED
                        && s.leases().isEmpty());
    assertThat(fleet.offline()).containsExactly("gpu-c");
    String movedTask =
        audit.revokedLeases.get(0).substring(0, audit.revokedLeases.get(0).indexOf('#'));
    record("gpu-fleet-host-lost.json", GpuFleetWorkflow.ID);
    record("gpu-task-host-lost.json", movedTask);
    record("pipeline-gpu-tasks.json", WorkflowStub.fromTyped(run).getExecution().getWorkflowId());
    assertThat(fleet.waiting()).isEmpty();
    assertThat(fleet.events())
        .anyMatch(e -> e.type().equals("HostLost") && e.message().contains("gpu-c"))
        .anyMatch(e -> e.type().equals("Retired") && e.message().contains("of gpu-a"));
  }

  @Test
  @DisplayName(
      "sameHostAs keeps later tasks on an earlier task's host; an impossible lease fails at once"
          + " and is not retried")
  void affinityAndRefusal() {
    Map<String, SimulatedGpus> backends = new java.util.LinkedHashMap<>();
    for (String host : HOSTS) {
      backends.put(host, healthy(host, pacer(host)));
    }
    hosts(backends);
    PipelineWorkflow run =
        pipeline(
            """
            apiVersion: capstan.io/v1
            kind: Pipeline
            metadata: {name: train}
            spec:
              defaults:
                retry: {maxAttempts: 3, backoff: fixed, interval: 100ms}
              onFailure: continue
              tasks:
                - name: prepare
                  gpu: {devices: 1, op: inventory}
                - name: train-1
                  dependsOn: [prepare]
                  gpu: {devices: 2, op: gemm, duration: 60ms, affinity: {sameHostAs: prepare}}
                - name: train-2
                  dependsOn: [prepare]
                  gpu: {devices: 3, op: gemm, duration: 60ms, affinity: {sameHostAs: prepare}}
                - name: measure
                  dependsOn: [train-1]
                  gpu: {devices: 4, op: bandwidth, affinity: {sameHostAs: train-1}}
                - name: too-big
                  gpu: {devices: 5, op: burn-in, duration: 60ms}
            """);
    RunState state = finished(run);
    Map<String, TaskState> tasks = state.tasks();
    String host = tasks.get("prepare").host();
    assertThat(HOSTS).contains(host);
    for (String task : List.of("train-1", "train-2", "measure")) {
      assertThat(tasks.get(task).state()).as(task).isEqualTo(TaskPhase.SUCCEEDED);
      assertThat(tasks.get(task).host()).as(task).isEqualTo(host);
    }
    assertThat(tasks.get("measure").output()).contains("\"bandwidth\"").contains(host);
    TaskState tooBig = tasks.get("too-big");
    assertThat(tooBig.state()).isEqualTo(TaskPhase.FAILED);
    assertThat(tooBig.attempts()).as("no attempt ran without a lease").isZero();
    assertThat(tooBig.error()).contains("5 devices cannot be granted: the most any host has is 4");
    Audit audit = audit();
    assertThat(audit.doubleGrants).isEmpty();
    assertThat(audit.held).isEmpty();
  }

  /** What the fleet's history says about grants, releases, revocations and quarantines. */
  static final class Audit {
    final Map<String, String> holderOf = new HashMap<>();
    final Map<String, LeaseTable.Lease> held = new HashMap<>();
    final List<String> doubleGrants = new ArrayList<>();
    final Map<String, Integer> revokedOn = new HashMap<>();
    final List<String> revokedLeases = new ArrayList<>();
    final Set<String> lostHosts = new HashSet<>();
    final Set<String> quarantined = new HashSet<>();
    int grantsAfterLoss;
    int grantsAfterQuarantine;
  }

  /**
   * Replays the fleet's history as an auditor would: every grant (a signal to its requester), every
   * release (a signal to the fleet) and every revocation, in order, checking that no device is
   * granted while another lease holds it.
   */
  private Audit audit() {
    DataConverter converter = DataConverter.getDefaultInstance();
    Audit audit = new Audit();
    for (HistoryEvent event : client.fetchHistory(GpuFleetWorkflow.ID).getEvents()) {
      if (event.getEventType()
          == EventType.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED) {
        var signal = event.getSignalExternalWorkflowExecutionInitiatedEventAttributes();
        Payloads input = signal.getInput();
        if (signal.getSignalName().equals("leaseGranted")) {
          LeaseTable.Lease lease =
              converter.fromPayloads(
                  0, Optional.of(input), LeaseTable.Lease.class, LeaseTable.Lease.class);
          if (audit.lostHosts.contains(lease.host())) {
            audit.grantsAfterLoss++;
          }
          for (int device : lease.devices()) {
            String key = lease.host() + "/" + device;
            if (audit.holderOf.containsKey(key)) {
              audit.doubleGrants.add(
                  key + " to " + lease.id() + " while " + audit.holderOf.get(key));
            }
            if (audit.quarantined.contains(key)) {
              audit.grantsAfterQuarantine++;
            }
            audit.holderOf.put(key, lease.id());
          }
          audit.held.put(lease.id(), lease);
        } else if (signal.getSignalName().equals("leaseRevoked")) {
          GpuFleetWorkflow.LeaseRefusal revoked =
              converter.fromPayloads(
                  0,
                  Optional.of(input),
                  GpuFleetWorkflow.LeaseRefusal.class,
                  GpuFleetWorkflow.LeaseRefusal.class);
          LeaseTable.Lease lease = free(audit, revoked.leaseId());
          if (lease != null) {
            audit.revokedOn.merge(lease.host(), 1, Integer::sum);
            audit.revokedLeases.add(lease.id());
            audit.lostHosts.add(lease.host());
          }
        }
      } else if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED) {
        var signal = event.getWorkflowExecutionSignaledEventAttributes();
        if (signal.getSignalName().equals("release")) {
          free(
              audit,
              converter.fromPayloads(
                  0, Optional.of(signal.getInput()), String.class, String.class));
        } else if (signal.getSignalName().equals("quarantine")) {
          GpuFleetWorkflow.DeviceRef device =
              converter.fromPayloads(
                  0,
                  Optional.of(signal.getInput()),
                  GpuFleetWorkflow.DeviceRef.class,
                  GpuFleetWorkflow.DeviceRef.class);
          audit.quarantined.add(device.host() + "/" + device.device());
        }
      }
    }
    return audit;
  }

  /**
   * Writes a workflow's history for the replay tests when {@code -Dcapstan.recordHistories=DIR} is
   * set (to refresh {@code workflows/src/test/resources/histories}); otherwise does nothing.
   */
  private void record(String file, String workflowId) {
    String directory = System.getProperty("capstan.recordHistories");
    if (directory == null) {
      return;
    }
    try {
      java.nio.file.Files.writeString(
          java.nio.file.Path.of(directory, file), client.fetchHistory(workflowId).toJson(true));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static LeaseTable.Lease free(Audit audit, String leaseId) {
    LeaseTable.Lease lease = audit.held.remove(leaseId);
    if (lease != null) {
      for (int device : lease.devices()) {
        audit.holderOf.remove(lease.host() + "/" + device);
      }
    }
    return lease;
  }
}
