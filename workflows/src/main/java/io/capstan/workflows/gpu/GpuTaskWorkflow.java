package io.capstan.workflows.gpu;

import io.capstan.definitions.executor.GpuSpec;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;

/**
 * One {@code gpu} task, as a child of its pipeline or job: every attempt leases devices from the
 * {@link GpuFleetWorkflow}, runs its operation on the leased host's pinned queue with the leased
 * device indices, and releases the lease however the attempt ends (success, failure, timeout,
 * cancellation). A retry leases anew, away from a host that was lost; a device that failed its
 * burn-in or was lost is quarantined.
 */
@WorkflowInterface
public interface GpuTaskWorkflow {
  String TYPE = "GpuTask";

  /** The failure type of a lease the fleet can never grant; not retried. */
  String LEASE_REFUSED = "GpuLeaseRefused";

  /** The failure type of a task started while no GPU fleet runs: no GPU host ever registered. */
  String NO_FLEET = "GpuFleetNotRunning";

  /** The failure type of an attempt whose host stopped answering. */
  String HOST_LOST = "GpuHostLost";

  /** The failure type of an attempt whose lease passed its time limit. */
  String LEASE_EXPIRED = "GpuLeaseExpired";

  /** The failure type of a burn-in (or gemm) that a device failed. */
  String BURN_IN_FAILED = "GpuBurnInFailed";

  @WorkflowMethod(name = TYPE)
  TaskOutcome run(GpuTaskInput input);

  @SignalMethod(name = "leaseGranted")
  void leaseGranted(LeaseTable.Lease lease);

  @SignalMethod(name = "leaseRefused")
  void leaseRefused(GpuFleetWorkflow.LeaseRefusal refusal);

  /**
   * The fleet lost the lease's host (it stopped heartbeating): the attempt ends as lost at once,
   * without waiting for the dead host's work to time out, and the retry goes elsewhere.
   */
  @SignalMethod(name = "leaseRevoked")
  void leaseRevoked(GpuFleetWorkflow.LeaseRefusal revocation);

  /** Each attempt so far: its lease, host and devices, and how it ended. */
  @QueryMethod(name = "attempts")
  List<Attempt> attempts();

  /**
   * @param host the host the task must run on (its {@code sameHostAs}, resolved); null for any
   * @param attemptTimeout how long one attempt's operation may run
   */
  record GpuTaskInput(TaskContext context, GpuSpec gpu, String host, Duration attemptTimeout) {}

  /**
   * @param outcome null while running; else {@code succeeded} or why it failed
   */
  record Attempt(int number, String lease, String host, List<Integer> devices, String outcome) {}
}
