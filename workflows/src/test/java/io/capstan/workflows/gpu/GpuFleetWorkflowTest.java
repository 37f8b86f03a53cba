package io.capstan.workflows.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.workflows.TaskQueues;
import io.temporal.activity.Activity;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The GPU fleet entity")
class GpuFleetWorkflowTest {
  static final List<String> HOSTS = List.of("gpu-1", "gpu-2", "gpu-3");

  /** Counted down when a host is "killed": its liveness watch stops heartbeating. */
  private final Map<String, CountDownLatch> kills = new ConcurrentHashMap<>();

  /** Counted down when the test ends, so silent watches return. */
  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Validation burn-ins, by host and device: true passes, false fails. */
  private final Map<String, Boolean> burnInPasses = new ConcurrentHashMap<>();

  private TestWorkflowEnvironment environment;
  private GpuFleetWorkflow fleet;

  /** A host's liveness: heartbeats until it is killed, then falls silent. */
  final class Liveness implements HostActivities {
    @Override
    public void watch(String host) {
      CountDownLatch killed = kills.computeIfAbsent(host, h -> new CountDownLatch(1));
      try {
        // A heartbeat a tenth of a second until the host is killed; then nothing, as a dead host.
        while (!killed.await(100, TimeUnit.MILLISECONDS)) {
          Activity.getExecutionContext().heartbeat(null);
        }
        stopped.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The devices of a host for validation burn-ins: pass or fail as the test says. */
  final class Validation implements GpuActivities {
    private final String host;

    Validation(String host) {
      this.host = host;
    }

    @Override
    public GpuInventory inventory() {
      return new GpuInventory(host, List.of());
    }

    @Override
    public BurnInResult burnIn(BurnInRequest request) {
      int device = request.devices().get(0);
      boolean passed = burnInPasses.getOrDefault(host + "/" + device, true);
      return new BurnInResult(
          host,
          List.of(
              new DeviceBurnIn(
                  device,
                  passed,
                  List.of(989.0),
                  passed ? null : "window 2: the result differs from the first window's")));
    }

    @Override
    public BandwidthResult bandwidth(BandwidthRequest request) {
      return new BandwidthResult(host, List.of());
    }
  }

  @BeforeEach
  void start() {
    environment = TestWorkflowEnvironment.newInstance();
    String controlPlane = "control-plane-" + UUID.randomUUID();
    environment
        .newWorker(controlPlane)
        .registerWorkflowImplementationTypes(GpuFleetWorkflowImpl.class);
    for (String host : HOSTS) {
      environment
          .newWorker(TaskQueues.gpu(host))
          .registerActivitiesImplementations(new Liveness(), new Validation(host));
    }
    environment.start();
    WorkflowClient client = environment.getWorkflowClient();
    fleet =
        client.newWorkflowStub(
            GpuFleetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(controlPlane)
                .setWorkflowId(GpuFleetWorkflow.ID + "-" + UUID.randomUUID())
                .build());
    WorkflowClient.start(fleet::run, new GpuFleetWorkflow.FleetInput(Duration.ofSeconds(2), null));
  }

  @AfterEach
  void stop() {
    stopped.countDown();
    environment.close();
  }

  private void register(String host, int devices) {
    List<LeaseTable.Device> list = new ArrayList<>();
    for (int i = 0; i < devices; i++) {
      list.add(new LeaseTable.Device(i, "NVIDIA H200", Map.of()));
    }
    assertThat(fleet.registerHost(new GpuFleetWorkflow.HostRegistration(host, list)))
        .isEqualTo(devices);
  }

  private WorkflowUpdateHandle<LeaseTable.Lease> acquire(LeaseTable.Request request) {
    return WorkflowStub.fromTyped(fleet)
        .startUpdate(
            UpdateOptions.newBuilder(LeaseTable.Lease.class)
                .setUpdateName("acquire")
                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                .build(),
            request);
  }

  private GpuFleetWorkflow.FleetStatus await(Predicate<GpuFleetWorkflow.FleetStatus> done) {
    return Awaitility.await("the fleet's status")
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(fleet::status, done::test);
  }

  @Test
  @DisplayName(
      "100 concurrent gpu tasks over 3 hosts × 4 devices: never a device leased twice, every"
          + " lease released")
  void hundredTasks() {
    HOSTS.forEach(host -> register(host, 4));
    java.util.concurrent.BlockingQueue<LeaseTable.Lease> granted =
        new java.util.concurrent.LinkedBlockingQueue<>();
    for (int i = 0; i < 100; i++) {
      acquire(new LeaseTable.Request("task-" + i, 1 + i % 4, null, null, null, null))
          .getResultAsync()
          .thenAccept(granted::add);
    }
    // Every lease granted so far is held until the whole batch is checked, then released: a
    // device in two leases at once would show as a key held twice.
    Map<String, String> held = new HashMap<>();
    int leases = 0;
    while (leases < 100) {
      List<LeaseTable.Lease> batch = new ArrayList<>();
      try {
        LeaseTable.Lease first = granted.poll(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(first).as("a grant within 30 s (%d of 100 so far)", leases).isNotNull();
        batch.add(first);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
      granted.drainTo(batch);
      for (LeaseTable.Lease lease : batch) {
        for (int device : lease.devices()) {
          String key = lease.host() + "/" + device;
          assertThat(held).as("%s granted to %s", key, lease.id()).doesNotContainKey(key);
          held.put(key, lease.id());
        }
      }
      for (LeaseTable.Lease lease : batch) {
        held.values().removeIf(lease.id()::equals);
        fleet.release(lease.id());
      }
      leases += batch.size();
    }
    GpuFleetWorkflow.FleetStatus status = await(s -> s.leases().isEmpty());
    assertThat(status.waiting()).isEmpty();
  }

  @Test
  @DisplayName(
      "a host that stops heartbeating loses its leases; the retry, excluding it, leases elsewhere;"
          + " sameHostAs holds")
  void lostHost() throws Exception {
    register("gpu-2", 4);
    LeaseTable.Lease first =
        fleet.acquire(new LeaseTable.Request("prep", 1, null, null, null, null));
    assertThat(first.host()).isEqualTo("gpu-2");
    LeaseTable.Lease near =
        fleet.acquire(new LeaseTable.Request("train", 3, null, null, first.host(), null));
    assertThat(near.host()).isEqualTo("gpu-2");
    register("gpu-1", 4);

    kills.computeIfAbsent("gpu-2", h -> new CountDownLatch(1)).countDown();
    GpuFleetWorkflow.FleetStatus status =
        await(s -> s.events().stream().anyMatch(e -> e.type().equals("HostLost")));

    assertThat(status.leases()).isEmpty();
    assertThat(status.offline()).containsExactly("gpu-2");
    assertThat(status.hosts()).containsKeys("gpu-1", "gpu-2");
    assertThat(status.events())
        .filteredOn(e -> e.type().equals("HostLost"))
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("revoked leases [prep, train]"));
    LeaseTable.Lease retry =
        fleet.acquire(new LeaseTable.Request("train-2", 3, null, null, null, Set.of("gpu-2")));
    assertThat(retry.host()).isEqualTo("gpu-1");
  }

  @Test
  @DisplayName(
      "a quarantined device drains, is burned in on its host, and comes back or is retired; a"
          + " retired device is never leased")
  void quarantine() {
    register("gpu-3", 2);
    burnInPasses.put("gpu-3/1", false);
    LeaseTable.Lease both = fleet.acquire(new LeaseTable.Request("job", 2, null, null, null, null));

    fleet.quarantine(new GpuFleetWorkflow.DeviceRef("gpu-3", 0, "ECC double-bit errors"));
    fleet.quarantine(new GpuFleetWorkflow.DeviceRef("gpu-3", 1, "operator"));
    assertThat(fleet.status().hosts().get("gpu-3"))
        .extracting(LeaseTable.DeviceView::health)
        .containsOnly(LeaseTable.Health.QUARANTINED);
    fleet.release(both.id());

    GpuFleetWorkflow.FleetStatus status =
        await(
            s ->
                s.hosts().get("gpu-3").stream()
                    .noneMatch(
                        d ->
                            d.health() == LeaseTable.Health.VALIDATING
                                || d.health() == LeaseTable.Health.QUARANTINED));
    assertThat(status.hosts().get("gpu-3"))
        .extracting(LeaseTable.DeviceView::health)
        .containsExactly(LeaseTable.Health.IN_SERVICE, LeaseTable.Health.RETIRED);
    assertThat(status.events())
        .extracting(GpuFleetWorkflow.FleetEvent::message)
        .contains(
            "device 0 of gpu-3 quarantined: ECC double-bit errors",
            "device 0 of gpu-3 passed its burn-in: back in service",
            "device 1 of gpu-3 failed its burn-in and is retired: window 2: the result differs from the"
                + " first window's");
    assertThatThrownBy(
            () -> fleet.acquire(new LeaseTable.Request("two", 2, null, null, null, null)))
        .isInstanceOf(WorkflowUpdateException.class)
        .rootCause()
        .hasMessageContaining("2 devices cannot be granted: the most any host has is 1");
    assertThat(fleet.acquire(new LeaseTable.Request("one", 1, null, null, null, null)).devices())
        .containsExactly(0);

    // The history so far replays against the current code; -Dcapstan.recordGpuHistories=DIR
    // (through surefire's argLine) writes it for ReplayTest.
    io.temporal.common.WorkflowExecutionHistory history =
        environment
            .getWorkflowClient()
            .fetchHistory(WorkflowStub.fromTyped(fleet).getExecution().getWorkflowId());
    try {
      io.temporal.testing.WorkflowReplayer.replayWorkflowExecution(
          history, GpuFleetWorkflowImpl.class);
      String directory = System.getProperty("capstan.recordGpuHistories");
      if (directory != null) {
        java.nio.file.Files.writeString(
            java.nio.file.Path.of(directory, "gpu-fleet-quarantine.json"), history.toJson(true));
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName(
      "a long history continues as new carrying leases, waiting requests and quarantines; an"
          + " operator restores a device by signal")
  void continuesAsNew() {
    WorkflowClient client = environment.getWorkflowClient();
    String controlPlane = WorkflowStub.fromTyped(fleet).getOptions().orElseThrow().getTaskQueue();
    GpuFleetWorkflow small =
        client.newWorkflowStub(
            GpuFleetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(controlPlane)
                .setWorkflowId("small-fleet-" + UUID.randomUUID())
                .build());
    String firstRun =
        WorkflowClient.start(
                small::run, new GpuFleetWorkflow.FleetInput(Duration.ofSeconds(30), null, 60, null))
            .getRunId();
    List<LeaseTable.Device> devices =
        List.of(
            new LeaseTable.Device(0, "NVIDIA H200", Map.of()),
            new LeaseTable.Device(1, "NVIDIA H200", Map.of()));
    small.registerHost(new GpuFleetWorkflow.HostRegistration("gpu-1", devices));
    LeaseTable.Lease held =
        small.acquire(new LeaseTable.Request("held", 1, null, null, null, null));
    small.quarantine(new GpuFleetWorkflow.DeviceRef("gpu-1", held.devices().get(0), "ECC"));
    // Churn until the history passes its limit.
    for (int i = 0; i < 12; i++) {
      small.acquire(new LeaseTable.Request("churn-" + i, 1, null, null, null, null));
      small.release("churn-" + i);
    }
    Awaitility.await("a new run")
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                !WorkflowStub.fromTyped(small)
                    .describe()
                    .getExecution()
                    .getRunId()
                    .equals(firstRun));
    WorkflowStub waiting = WorkflowStub.fromTyped(small);
    WorkflowUpdateHandle<LeaseTable.Lease> both =
        waiting.startUpdate(
            UpdateOptions.newBuilder(LeaseTable.Lease.class)
                .setUpdateName("acquire")
                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                .build(),
            new LeaseTable.Request("both", 2, null, null, null, null));
    GpuFleetWorkflow.FleetStatus status = small.status();
    assertThat(status.leases()).containsOnlyKeys("held");
    assertThat(status.hosts().get("gpu-1").get(held.devices().get(0)).health())
        .isEqualTo(LeaseTable.Health.QUARANTINED);
    assertThat(status.events()).anyMatch(e -> e.type().equals("ContinuedAsNew"));

    // The quarantined device drains, fails nothing here (its burn-in passes), and both are
    // granted; an operator's restore is taken as well.
    small.release("held");
    small.restore(new GpuFleetWorkflow.DeviceRef("gpu-1", held.devices().get(0), "swapped"));
    assertThat(both.getResult(30, TimeUnit.SECONDS).devices()).containsExactly(0, 1);
  }

  @Test
  @DisplayName(
      "a lease past its time limit (its holder ended without releasing) is taken back and what"
          + " waits is granted")
  void leasesExpire() throws Exception {
    register("gpu-1", 1);
    LeaseTable.Lease held =
        fleet.acquire(new LeaseTable.Request("forgotten", 1, null, null, null, null, 1_000L));
    assertThat(held.expiresAtMillis()).isEqualTo(held.grantedAtMillis() + 1_000L);
    WorkflowUpdateHandle<LeaseTable.Lease> next =
        acquire(new LeaseTable.Request("next", 1, null, null, null, null));

    assertThat(next.getResult(30, TimeUnit.SECONDS).devices()).containsExactly(0);
    GpuFleetWorkflow.FleetStatus status = fleet.status();
    assertThat(status.leases()).containsOnlyKeys("next");
    assertThat(status.events())
        .anyMatch(e -> e.type().equals("LeaseExpired") && e.message().contains("forgotten"));
  }
}
