package io.capstan.workflows.task;

import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.converter.Values;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TimeoutFailure;
import java.time.Duration;
import java.time.Instant;

/**
 * How one task ended, read from its activity's outcome or failure: {@code SUCCEEDED}, {@code
 * FAILED} or {@code CANCELED}, with the attempts made, the output or the error a person reads, and
 * the host of the last attempt. An output too large for history is in the store: {@code output} is
 * then null and {@code outputRef} says where.
 *
 * @param attempts how many attempts were made (0 for a task that never reached a worker), or {@link
 *     #UNKNOWN_ATTEMPTS} where the ending does not tell (a canceled task)
 */
public record TaskResult(
    TaskPhase phase, int attempts, String output, String error, String host, OutputRef outputRef) {

  public static final int UNKNOWN_ATTEMPTS = -1;

  /** Failure type of a task whose executor has no worker in this version of Capstan. */
  public static final String UNSUPPORTED = "UnsupportedExecutor";

  public TaskResult {
    if (phase != TaskPhase.SUCCEEDED && phase != TaskPhase.FAILED && phase != TaskPhase.CANCELED) {
      throw new IllegalArgumentException("a task ends SUCCEEDED, FAILED or CANCELED, not " + phase);
    }
  }

  public TaskResult(TaskPhase phase, int attempts, String output, String error, String host) {
    this(phase, attempts, output, error, host, null);
  }

  public boolean succeeded() {
    return phase == TaskPhase.SUCCEEDED;
  }

  /** The state of a task that was {@code before} and ended {@code at} with this result. */
  public TaskState applyTo(TaskState before, Instant at) {
    return new TaskState(
        phase,
        attempts == UNKNOWN_ATTEMPTS ? before.attempts() : attempts,
        output,
        error,
        before.startedAt(),
        at,
        host != null ? host : before.host(),
        outputRef);
  }

  /**
   * Reads an activity's ending: its outcome, or the failure its promise completed with.
   *
   * @param maxAttempts the task's retry limit: the attempts made when Temporal reports that it gave
   *     up and the failure carries no attempt number
   * @param timeout the per-attempt timeout, for the message of a timed-out attempt
   */
  public static TaskResult of(
      TaskOutcome outcome, RuntimeException failure, int maxAttempts, Duration timeout) {
    if (failure == null) {
      return new TaskResult(
          TaskPhase.SUCCEEDED,
          Math.max(1, outcome.attempt()),
          outcome.output(),
          null,
          outcome.host(),
          outcome.outputRef());
    }
    // A gpu task is a child workflow: its failure wraps the task's own as an activity's does.
    Throwable cause =
        failure instanceof ActivityFailure || failure instanceof ChildWorkflowFailure
            ? failure.getCause()
            : failure;
    if (cause instanceof CanceledFailure) {
      return canceled("canceled");
    }
    int attempts =
        failure instanceof ActivityFailure activity
                && activity.getRetryState() == RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED
            ? maxAttempts
            : 1;
    String host = null;
    String error;
    if (cause instanceof ApplicationFailure app) {
      if (UNSUPPORTED.equals(app.getType())
          || TaskFailures.INPUTS_TOO_LARGE.equals(app.getType())) {
        attempts = 0;
      }
      Values details = app.getDetails();
      if (details != null && details.getSize() >= 2) {
        try {
          attempts = details.get(0, Integer.class);
          host = details.get(1, String.class);
        } catch (RuntimeException unreadable) {
          // Details from an executor that does not follow the TaskFailures contract: keep the
          // attempt count Temporal's retry state implies.
        }
      }
      String message = app.getOriginalMessage();
      error = message == null || message.isBlank() ? app.getType() : message;
    } else if (cause instanceof TimeoutFailure timedOut) {
      error = timeoutMessage(timedOut.getTimeoutType(), timeout);
    } else if (cause != null) {
      error = cause.getMessage();
    } else {
      error = failure.getMessage();
    }
    return new TaskResult(TaskPhase.FAILED, attempts, null, error, host);
  }

  /** A task that ended canceled, for the reason given. */
  public static TaskResult canceled(String why) {
    return new TaskResult(TaskPhase.CANCELED, UNKNOWN_ATTEMPTS, null, why, null);
  }

  private static String timeoutMessage(TimeoutType type, Duration timeout) {
    if (type == TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
      return "timed out: no heartbeat for "
          + TaskOptions.describe(TaskOptions.HEARTBEAT_TIMEOUT)
          + "; the worker running it may have died";
    }
    return "timed out: an attempt ran longer than its "
        + TaskOptions.describe(timeout)
        + " timeout";
  }
}
