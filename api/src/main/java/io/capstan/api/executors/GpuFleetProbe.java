package io.capstan.api.executors;

import io.capstan.workflows.gpu.GpuFleetWorkflow;
import io.capstan.workflows.gpu.LeaseTable;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowQueryException;
import java.util.function.BooleanSupplier;

/**
 * Whether {@code gpu} tasks can be served: the GPU fleet runs and has a host with a device that is
 * not retired. GPU hosts poll queues of their own names, which Temporal cannot list, so the fleet
 * (which every GPU host joins) is asked instead.
 */
public final class GpuFleetProbe implements BooleanSupplier {
  private final WorkflowClient client;

  public GpuFleetProbe(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public boolean getAsBoolean() {
    try {
      GpuFleetWorkflow.FleetStatus status =
          client.newWorkflowStub(GpuFleetWorkflow.class, GpuFleetWorkflow.ID).status();
      return status.hosts().values().stream()
          .flatMap(java.util.List::stream)
          .anyMatch(device -> device.health() != LeaseTable.Health.RETIRED);
    } catch (WorkflowNotFoundException | WorkflowQueryException noFleet) {
      return false;
    } catch (WorkflowException unanswered) {
      return false;
    }
  }
}
