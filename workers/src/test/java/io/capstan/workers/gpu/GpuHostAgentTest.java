package io.capstan.workers.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.gpu.GpuHost;
import io.capstan.gpu.SimulatedGpus;
import io.capstan.workers.WorkerSettings;
import io.capstan.workers.controlplane.ControlPlaneWorker;
import io.capstan.workflows.gpu.GpuActivities;
import io.capstan.workflows.gpu.GpuFleetWorkflow;
import io.capstan.workflows.gpu.LeaseTable;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The GPU role of a process: hosts join the fleet and report ECC errors")
class GpuHostAgentTest {
  private TestWorkflowEnvironment environment;
  private GpuHostAgent agent;

  @BeforeEach
  void start() {
    environment =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    ControlPlaneWorker.register(
        environment.getWorkerFactory(), new WorkerSettings(false, "control-plane", 50, 50));
  }

  @AfterEach
  void stop() {
    if (agent != null) {
      agent.close();
    }
    environment.close();
  }

  @Test
  @DisplayName(
      "hosts join by update-with-start once they poll; a device with uncorrectable ECC errors is"
          + " quarantined, fails its re-validation while the errors stand, and is retired")
  void eccQuarantine() {
    SimulatedGpus.Device healthy = SimulatedGpus.Device.healthy("Simulated H200", 141L << 30, 989);
    GpuHost plain = new GpuHost("gpu-plain", SimulatedGpus.of("gpu-plain", 2, n -> {}), Map.of());
    GpuHost ecc =
        new GpuHost(
            "gpu-ecc",
            new SimulatedGpus(
                "gpu-ecc", List.of(healthy, healthy.failing(SimulatedGpus.Fault.ECC, 1)), n -> {}),
            Map.of("rack", "r7"));
    GpuFleetWorkflow.FleetInput fleet =
        new GpuFleetWorkflow.FleetInput(
            Duration.ofSeconds(5),
            new GpuActivities.BurnInRequest(
                List.of(), "bf16", 64, Duration.ofMillis(30), Duration.ofMillis(10), null));
    agent = GpuHostAgent.register(environment.getWorkerFactory(), List.of(plain, ecc), fleet);
    environment.start();
    agent.join();

    Awaitility.await("both hosts joined").atMost(Duration.ofSeconds(30)).until(agent::joined);
    GpuFleetWorkflow fleetStub =
        environment
            .getWorkflowClient()
            .newWorkflowStub(GpuFleetWorkflow.class, GpuFleetWorkflow.ID);
    GpuFleetWorkflow.FleetStatus status =
        Awaitility.await("the ECC device retired")
            .atMost(Duration.ofSeconds(30))
            .until(
                fleetStub::status,
                s ->
                    s.hosts().containsKey("gpu-ecc")
                        && s.hosts().get("gpu-ecc").get(1).health() == LeaseTable.Health.RETIRED);
    assertThat(status.hosts().get("gpu-plain"))
        .extracting(LeaseTable.DeviceView::health)
        .containsOnly(LeaseTable.Health.IN_SERVICE);
    assertThat(status.hosts().get("gpu-ecc").get(0).health())
        .isEqualTo(LeaseTable.Health.IN_SERVICE);
    assertThat(status.events())
        .anyMatch(
            e ->
                e.type().equals("Quarantined")
                    && e.message().contains("1 uncorrectable (double-bit) ECC errors"))
        .anyMatch(e -> e.type().equals("Retired") && e.message().contains("needs a reset"));
  }
}
