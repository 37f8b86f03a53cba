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

  /**
   * A workflow's request for devices ({@code gpu} tasks ask this way: a workflow cannot send an
   * Update). The fleet answers {@code replyTo} with {@link GpuTaskWorkflow#leaseGranted} once the
   * devices are its, or {@link GpuTaskWorkflow#leaseRefused} when they can never be; a grant that
   * cannot be delivered (the requester has ended) is released at once.
   */
  @SignalMethod(name = "requestLease")
  void requestLease(LeaseRequest request);

  /** Frees a lease, or withdraws a request still waiting; an unknown lease is no error. */
  @SignalMethod(name = "release")
  void release(String leaseId);

  /** An operator's (or a failed burn-in's) quarantine: the device drains, then is validated. */
  @SignalMethod(name = "quarantine")
  void quarantine(DeviceRef device);

  /**
   * An operator's word that a quarantined or retired device is good again (replaced, or cleared by
   * the vendor's diagnostics): it goes back in service at once.
   */
  @SignalMethod(name = "restore")
  void restore(DeviceRef device);

  @QueryMethod(name = "status")
  FleetStatus status();

  /**
   * @param livenessTimeout how long a host may go without a heartbeat before it counts as lost;
   *     null for {@link #DEFAULT_LIVENESS}
   * @param validation the burn-in a quarantined device must pass to come back
   * @param historyLimit the history length past which the fleet continues as new; null for {@code
   *     10000}
   * @param carry what the previous run left; null for a new fleet
   */
  record FleetInput(
      Duration livenessTimeout,
      GpuActivities.BurnInRequest validation,
      Integer historyLimit,
      FleetCarry carry) {
    public FleetInput(Duration livenessTimeout, GpuActivities.BurnInRequest validation) {
      this(livenessTimeout, validation, null, null);
    }
  }

  /**
   * What a fleet carries into its next run when it continues as new: the lease table, who holds or
   * waits for each lease, the requests not answered yet, and the recent events.
   */
  record FleetCarry(
      LeaseTable.Snapshot table,
      Map<String, String> holders,
      List<String> unanswered,
      List<FleetEvent> events) {}

  Duration DEFAULT_LIVENESS = Duration.ofSeconds(30);

  record HostRegistration(String host, List<LeaseTable.Device> devices) {}

  /**
   * @param replyTo the workflow id the answer is signaled to
   */
  record LeaseRequest(LeaseTable.Request request, String replyTo) {}

  /**
   * Why a request can never be granted, or why a lease was taken back, signaled to its holder.
   *
   * @param hostLost true when the lease's host stopped answering: a retry should go elsewhere
   */
  record LeaseRefusal(String leaseId, String reason, boolean hostLost) {}

  record DeviceRef(String host, int device, String reason) {}

  record FleetEvent(String at, String type, String message) {}

  /**
   * The fleet as its status query shows it.
   *
   * @param holders the workflow holding (or waiting for) each lease requested by signal
   * @param offline hosts that stopped answering, remembered (health and all) for a grace period
   */
  record FleetStatus(
      Map<String, List<LeaseTable.DeviceView>> hosts,
      Map<String, LeaseTable.Lease> leases,
      Map<String, String> holders,
      List<String> waiting,
      List<FleetEvent> events,
      List<String> offline) {}
}
