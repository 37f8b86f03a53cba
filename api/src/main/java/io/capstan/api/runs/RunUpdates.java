package io.capstan.api.runs;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.auth.Principal;
import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code POST /api/v1/runs/{id}/updates/{name}}: a run's Temporal Update by name (a cluster's
 * {@code scale}, {@code addPool}, {@code removePool}, {@code setAutoscaling}, {@code delete}). The
 * body is read into the update's argument and checked; the run's own validator then accepts or
 * refuses it. An operation that finishes within a short wait answers its result; a longer one (a
 * scale-up waits for nodes) answers that it was accepted and runs on, which the run's detail shows.
 */
public final class RunUpdates {
  /** How long the run may take to accept or refuse; a run without a worker never does. */
  static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(20);

  /** How long an accepted operation is waited for before the answer says it runs on. */
  static final Duration RESULT_WAIT = Duration.ofSeconds(20);

  private final TemporalRuns runs;

  /** Updates waiting for a run to take them at once; more are refused rather than queued. */
  static final int MAX_WAITING = 16;

  /**
   * The threads that wait for runs to take updates. A run without a worker never does, and the
   * SDK's wait cannot be cut short, so the pool is bounded: past {@link #MAX_WAITING} the answer is
   * 503 at once instead of another parked thread.
   */
  private final ExecutorService waits =
      new ThreadPoolExecutor(
          0,
          MAX_WAITING,
          60,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          task -> {
            Thread thread = new Thread(task, "capstan-run-update");
            thread.setDaemon(true);
            return thread;
          });

  public RunUpdates(TemporalRuns runs) {
    this.runs = runs;
  }

  /**
   * What an update led to.
   *
   * @param done false when it was accepted and still runs
   * @param result its result when done
   */
  public record Outcome(String id, String update, String updateId, boolean done, Object result) {}

  public Outcome update(String id, String name, JsonNode body, Principal principal) {
    TemporalRuns.Visible run = runs.describeFor(id, principal);
    RunRef ref = run.ref();
    if (!ref.kind().takesUpdate(name)) {
      throw new UnprocessableException(
          "a " + ref.kind().kindName() + " run takes no update '" + name + "'",
          List.of(
              ErrorDetail.at(
                  "name",
                  ref.kind().updates().isEmpty()
                      ? "it takes none"
                      : "use one of " + String.join(", ", ref.kind().updates()))));
    }
    RunStatus status = RunStatus.of(run.info().getStatus());
    if (status.isClosed()) {
      throw new RunClosedException(id, status);
    }
    if (body != null && !body.isNull() && !body.isObject()) {
      throw new UnprocessableException(
          "invalid update body", List.of(ErrorDetail.at("", "a JSON object")));
    }
    Object argument = argument(ref, id, name, body);
    WorkflowStub stub = runs.client().newUntypedWorkflowStub(id);
    @SuppressWarnings("unchecked")
    Class<Object> resultType = (Class<Object>) ref.kind().updateResult(name);
    CompletableFuture<WorkflowUpdateHandle<Object>> accepted;
    try {
      accepted =
          CompletableFuture.supplyAsync(
              () ->
                  stub.startUpdate(
                      UpdateOptions.newBuilder(resultType)
                          .setUpdateName(name)
                          .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                          .build(),
                      argument),
              waits);
    } catch (RejectedExecutionException busy) {
      throw new RunUnresponsiveException(
          "too many updates are waiting for their runs to take them (is a worker running?);"
              + " try again later");
    }
    WorkflowUpdateHandle<Object> handle;
    try {
      handle = accepted.get(ACCEPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      accepted.cancel(true);
      throw new RunUnresponsiveException(
          "run '"
              + id
              + "' did not take the update within "
              + ACCEPT_TIMEOUT.toSeconds()
              + "s (is a worker running?); it may still take it once a worker polls, so look"
              + " at the run before sending it again");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RunUnresponsiveException("interrupted while waiting for run '" + id + "'");
    } catch (ExecutionException e) {
      throw failure(id, name, e.getCause());
    }
    try {
      Object result = handle.getResultAsync(RESULT_WAIT.toMillis(), TimeUnit.MILLISECONDS).get();
      return new Outcome(id, name, handle.getId(), true, result);
    } catch (ExecutionException e) {
      // The SDK reports a wait past the timeout as WorkflowUpdateTimeoutOrCancelledException.
      if (e.getCause() instanceof TimeoutException
          || e.getCause() instanceof WorkflowUpdateTimeoutOrCancelledException) {
        return new Outcome(id, name, handle.getId(), false, null);
      }
      throw failure(id, name, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(id, name, handle.getId(), false, null);
    }
  }

  /** The body as the update's argument, read by the run's kind (which may ask the run). */
  private Object argument(RunRef ref, String id, String name, JsonNode body) {
    return ref.kind()
        .updateArgument(
            name,
            body,
            () -> {
              Object status;
              try {
                status = runs.queryStatus(id, ref.kind().statusType());
              } catch (RuntimeException e) {
                throw new RunUnresponsiveException(
                    "run '"
                        + id
                        + "' did not answer its status query (is a worker running?): "
                        + e.getMessage());
              }
              if (status == null) {
                throw new RunUnresponsiveException(
                    "run '" + id + "' is starting: try again in a moment");
              }
              return status;
            });
  }

  private RuntimeException failure(String id, String name, Throwable failure) {
    if (failure instanceof WorkflowUpdateException refused) {
      return new UnprocessableException(
          name + " refused: " + RunControl.reason(refused),
          List.of(ErrorDetail.at("", RunControl.reason(refused))));
    }
    if (failure instanceof WorkflowNotFoundException) {
      return new RunNotFoundException(id);
    }
    if (failure instanceof RuntimeException runtime) {
      return runtime;
    }
    return new IllegalStateException(failure);
  }
}
