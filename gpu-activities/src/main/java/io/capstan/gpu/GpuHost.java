package io.capstan.gpu;

import io.capstan.workflows.gpu.GpuDeviceInfo;
import io.capstan.workflows.gpu.GpuFleetWorkflow;
import io.capstan.workflows.gpu.LeaseTable;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import java.util.List;
import java.util.Map;

/**
 * One GPU host as the fleet knows it: its name, its devices (from the backend's inventory) and the
 * labels it offers to requests. Registering is an update-with-start of the fleet entity, so the
 * first host to come up starts the fleet and the others join it; a host that restarts registers
 * again and its leases stay.
 */
public record GpuHost(String host, GpuBackend backend, Map<String, String> labels) {
  public GpuHost {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** The devices as the fleet leases them: index, name and the host's labels. */
  public List<LeaseTable.Device> devices() {
    return backend.devices().stream()
        .map(d -> new LeaseTable.Device(d.index(), d.name(), labels))
        .toList();
  }

  /**
   * Registers with the fleet, starting it on {@code controlPlaneQueue} when it does not run yet;
   * answers the number of devices the fleet took.
   */
  public int register(
      WorkflowClient client, String controlPlaneQueue, GpuFleetWorkflow.FleetInput input) {
    GpuFleetWorkflow fleet =
        client.newWorkflowStub(
            GpuFleetWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(GpuFleetWorkflow.ID)
                .setTaskQueue(controlPlaneQueue)
                .setWorkflowIdConflictPolicy(
                    WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
                .build());
    WithStartWorkflowOperation<Void> start = new WithStartWorkflowOperation<>(fleet::run, input);
    return WorkflowClient.executeUpdateWithStart(
        fleet::registerHost,
        new GpuFleetWorkflow.HostRegistration(host, devices()),
        UpdateOptions.<Integer>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
        start);
  }

  /** The inventory line a host prints when it starts: how many devices, of what. */
  public String describe() {
    List<GpuDeviceInfo> devices = backend.devices();
    return host
        + ": "
        + devices.size()
        + " × "
        + (devices.isEmpty() ? "none" : devices.get(0).name())
        + (labels.isEmpty() ? "" : " " + labels);
  }
}
