package io.capstan.api.runs;

import io.capstan.api.auth.Principal;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.workflows.pipeline.RetryTaskRequest;
import io.capstan.workflows.pipeline.RetryTaskResult;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.SegmentStatus;
import io.capstan.workflows.run.TaskPhase;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.TemporalFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Signals, cancellations and task retries of runs, each only in the caller's namespaces: another
 * namespace's run is not found, whatever is asked of it. All need the run to be open: a signal to a
 * closed run would be lost, and canceling or retrying in a closed run would change nothing, so all
 * are refused as conflicts.
 */
public final class RunControl {
  /** How long a retry may wait for the run to take it; a run without a worker never does. */
  static final Duration UPDATE_TIMEOUT = Duration.ofSeconds(20);

  private final TemporalRuns runs;
  private final Segments segments;

  /** Updates block until the run answers; they wait here so a request can stop waiting. */
  private final ExecutorService updates =
      Executors.newCachedThreadPool(
          task -> {
            Thread thread = new Thread(task, "capstan-run-update");
            thread.setDaemon(true);
            return thread;
          });

  public RunControl(TemporalRuns runs, Segments segments) {
    this.runs = runs;
    this.segments = segments;
  }

  /**
   * Sends the signal {@code name} to the run, with {@code argument} as its data when there is one
   * (a rollout's {@code skip} takes {@code {"node": NAME}}).
   *
   * @throws UnknownSignalException when the run's kind takes no such signal
   */
  public RunRef signal(String id, String name, Object argument, Principal principal) {
    TemporalRuns.Visible run = runs.describeFor(id, principal);
    WorkflowExecutionInfo info = run.info();
    RunRef ref = run.ref();
    if (!ref.kind().signals().contains(name)) {
      throw new UnknownSignalException(ref.kind(), name);
    }
    ensureOpen(id, info);
    if (argument == null) {
      send(id, stub -> stub.signal(name));
    } else {
      send(id, stub -> stub.signal(name, argument));
    }
    return ref;
  }

  /** Asks the run to cancel: it cancels its running tasks and ends CANCELED. */
  public RunRef cancel(String id, Principal principal) {
    TemporalRuns.Visible run = runs.describeFor(id, principal);
    WorkflowExecutionInfo info = run.info();
    RunRef ref = run.ref();
    ensureOpen(id, info);
    send(id, WorkflowStub::cancel);
    return ref;
  }

  /**
   * Runs a FAILED task of a pipeline run again, through the run's {@code retryTask} update: the
   * task and its SKIPPED descendants go back to PENDING, the tasks that succeeded stay.
   *
   * @param params overrides of the run's params from then on; empty for none
   * @throws TaskNotFoundException when the run has no such task
   * @throws RetryRefusedException when the run refuses, e.g. because the task is not FAILED
   * @throws RunUnresponsiveException when the run does not answer in time
   */
  public RetryTaskResult retryTask(
      String id, String task, Map<String, String> params, Principal principal) {
    TemporalRuns.Visible run = runs.describeFor(id, principal);
    WorkflowExecutionInfo info = run.info();
    RunRef ref = run.ref();
    if (!ref.kind().takesUpdate(RetryTaskRequest.UPDATE)) {
      throw new UnprocessableException(
          "a " + ref.kind().kindName() + " run cannot retry a task in place",
          List.of(
              ErrorDetail.at(
                  "task", "only Pipeline runs retry tasks; submit the job again instead")));
    }
    ensureOpen(id, info);
    RunState state = state(id);
    String target = id;
    if (state.segments() != null) {
      target = segmentOf(id, state, task);
    } else if (state.tasks() == null || !state.tasks().containsKey(task)) {
      throw new TaskNotFoundException(
          id, task, state.tasks() == null ? List.of() : new ArrayList<>(state.tasks().keySet()));
    }
    WorkflowStub stub = runs.client().newUntypedWorkflowStub(target);
    RetryTaskRequest request = new RetryTaskRequest(task, params);
    CompletableFuture<RetryTaskResult> answer =
        CompletableFuture.supplyAsync(
            () -> stub.update(RetryTaskRequest.UPDATE, RetryTaskResult.class, request), updates);
    try {
      return answer.get(UPDATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new RunUnresponsiveException(
          "run '"
              + id
              + "' did not take the retry within "
              + UPDATE_TIMEOUT.toSeconds()
              + "s (is a worker running?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunUnresponsiveException("interrupted while waiting for run '" + id + "'");
    } catch (ExecutionException e) {
      throw retryFailure(id, e.getCause());
    }
  }

  /**
   * The workflow of the segment of a large run that holds {@code task}: its {@code retryTask}
   * update retries the task there. A segment retries only while it runs or waits after a failure.
   */
  private String segmentOf(String id, RunState state, String task) {
    Segments.Located located =
        segments
            .locate(state, task)
            .orElseThrow(() -> new TaskNotFoundException(id, task, segments.someNames(state, 50)));
    SegmentStatus segment = located.segment();
    if (segment.phase() != TaskPhase.RUNNING) {
      throw new RetryRefusedException(
          "task '"
              + task
              + "' is "
              + located.state().state()
              + " in segment "
              + segment.index()
              + ", which "
              + (segment.phase() == TaskPhase.PENDING
                  ? "has not started"
                  : "has ended (" + segment.phase() + ")")
              + ": a task of a large run can be retried while its segment runs, or waits after a"
              + " failure with onFailure: pause");
    }
    return segment.workflowId();
  }

  private RuntimeException retryFailure(String id, Throwable failure) {
    if (failure instanceof WorkflowUpdateException refused) {
      return new RetryRefusedException(reason(refused));
    }
    if (failure instanceof WorkflowNotFoundException) {
      RunStatus status = RunStatus.of(runs.describe(id).getWorkflowExecutionInfo().getStatus());
      return status.isClosed() ? new RunClosedException(id, status) : new RunNotFoundException(id);
    }
    if (failure instanceof RuntimeException runtime) {
      return runtime;
    }
    return new IllegalStateException(failure);
  }

  /**
   * What the run said when it refused: the message of the failure its validator or handler threw
   * (an {@code IllegalArgumentException} arrives as an application failure with its message).
   */
  static String reason(WorkflowUpdateException refused) {
    for (Throwable cause = refused.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof TemporalFailure failure) {
        String message = failure.getOriginalMessage();
        if (message != null && !message.isBlank()) {
          return message;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return "the run refused it";
  }

  private RunState state(String id) {
    try {
      return runs.queryState(id);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        throw new RunUnresponsiveException(
            "run '"
                + id
                + "' did not answer its status query within "
                + TemporalRuns.QUERY_TIMEOUT.toSeconds()
                + "s (is a worker running?)");
      }
      throw e;
    }
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
