package io.capstan.workflows.gpu;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The GPU fleet: one entity ({@link #ID}) that knows every GPU host and device, grants device
 * leases fairly, revokes a dead host's leases, and takes bad devices out of service until they pass
 * a burn-in again. Hosts register with an Update (update-with-start from their worker); {@code gpu}
 * tasks acquire a lease with an Update that answers once granted, and release it with a signal.
 */
@WorkflowInterface
public interface GpuFleetWorkflow {
  String TYPE = "GpuFleet";

  /** The fleet's workflow id: one per Temporal namespace. */
  String ID = "capstan-gpu-fleet";

  @WorkflowMethod(name = TYPE)
  void run(FleetInput input);

  /** Adds or refreshes a host's devices and starts watching it; answers how many it has. */
  @UpdateMethod(name = "registerHost")
  int registerHost(HostRegistration registration);

  @UpdateValidatorMethod(updateName = "registerHost")
  void validateRegisterHost(HostRegistration registration);

  /** Answers once the request is granted; fails when it can never be. */
  @UpdateMethod(name = "acquire")
  LeaseTable.Lease acquire(LeaseTable.Request request);

  @UpdateValidatorMethod(updateName = "acquire")
  void validateAcquire(LeaseTable.Request request);

  @SignalMethod(name = "release")
  void release(String leaseId);

  /** An operator's (or a failed burn-in's) quarantine: the device drains, then is validated. */
  @SignalMethod(name = "quarantine")
  void quarantine(DeviceRef device);

  @QueryMethod(name = "status")
  FleetStatus status();

  /**
   * @param livenessTimeout how long a host may go without a heartbeat before it counts as lost;
   *     null for {@link #DEFAULT_LIVENESS}
   * @param validation the burn-in a quarantined device must pass to come back
   */
  record FleetInput(Duration livenessTimeout, GpuActivities.BurnInRequest validation) {}

  Duration DEFAULT_LIVENESS = Duration.ofSeconds(30);

  record HostRegistration(String host, List<LeaseTable.Device> devices) {}

  record DeviceRef(String host, int device, String reason) {}

  record FleetEvent(String at, String type, String message) {}

  record FleetStatus(
      Map<String, List<LeaseTable.DeviceView>> hosts,
      Map<String, LeaseTable.Lease> leases,
      List<String> waiting,
      List<FleetEvent> events) {}
}
