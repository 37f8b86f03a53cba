package io.capstan.api.runs;

import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.util.function.Consumer;

/**
 * Signals and cancellations of runs. Both need the run to be open: a signal to a closed run would
 * be lost, and canceling a closed run would change nothing, so both are refused as conflicts.
 */
public final class RunControl {
  private final TemporalRuns runs;

  public RunControl(TemporalRuns runs) {
    this.runs = runs;
  }

  /**
   * Sends the signal {@code name} to the run.
   *
   * @throws UnknownSignalException when the run's kind takes no such signal
   */
  public RunRef signal(String id, String name) {
    WorkflowExecutionInfo info = runs.describe(id).getWorkflowExecutionInfo();
    RunRef ref = runs.refOf(info);
    if (!ref.kind().signals().contains(name)) {
      throw new UnknownSignalException(ref.kind(), name);
    }
    ensureOpen(id, info);
    send(id, stub -> stub.signal(name));
    return ref;
  }

  /** Asks the run to cancel: it cancels its running tasks and ends CANCELED. */
  public RunRef cancel(String id) {
    WorkflowExecutionInfo info = runs.describe(id).getWorkflowExecutionInfo();
    RunRef ref = runs.refOf(info);
    ensureOpen(id, info);
    send(id, WorkflowStub::cancel);
    return ref;
  }

  private static void ensureOpen(String id, WorkflowExecutionInfo info) {
    RunStatus status = RunStatus.of(info.getStatus());
    if (status.isClosed()) {
      throw new RunClosedException(id, status);
    }
  }

  private void send(String id, Consumer<WorkflowStub> action) {
    try {
      action.accept(runs.client().newUntypedWorkflowStub(id));
    } catch (WorkflowNotFoundException closedMeanwhile) {
      // The run ended between the check and the call; report how it ended.
      RunStatus status = RunStatus.of(runs.describe(id).getWorkflowExecutionInfo().getStatus());
      throw new RunClosedException(id, status);
    }
  }
}
