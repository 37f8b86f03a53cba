package io.capstan.activities.task;

import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;

/**
 * One attempt of a task as an executor sees it: who asked, which attempt this is (1-based), where
 * it runs, and how to heartbeat. It also builds the attempt's outcome and failures, so that every
 * failure carries the same details and the same retry delay rule.
 */
record Attempt(TaskContext context, int number, String host, Heartbeat heartbeat) {

  Attempt {
    context = context == null ? new TaskContext(null, null, null, null) : context;
  }

  TaskOutcome succeed(String output) {
    return new TaskOutcome(output, number, host);
  }

  /**
   * A failure Temporal retries under the task's retry policy. With linear backoff the activity sets
   * the delay itself ({@code interval × attempt}), because {@code RetryOptions} only grow
   * exponentially; exponential and fixed backoff are left to the options the workflow set.
   */
  ApplicationFailure retryable(String type, String message, Throwable cause) {
    return failure(type, message, cause, false, nextRetryDelay(context.retry(), number));
  }

  /** A failure no retry can fix: the attempt ends the task. */
  ApplicationFailure nonRetryable(String type, String message, Throwable cause) {
    return failure(type, message, cause, true, null);
  }

  private ApplicationFailure failure(
      String type, String message, Throwable cause, boolean nonRetryable, Duration delay) {
    ApplicationFailure.Builder builder =
        ApplicationFailure.newBuilder()
            .setType(type)
            .setMessage(message)
            .setDetails(number, host)
            .setNonRetryable(nonRetryable)
            .setCause(cause);
    if (delay != null) {
      builder.setNextRetryDelay(delay);
    }
    return builder.build();
  }

  /**
   * The delay before the attempt after {@code attempt} when the task's backoff is linear; {@code
   * null} otherwise. A linear policy without {@code interval} uses {@code initial}.
   */
  static Duration nextRetryDelay(RetrySpec retry, int attempt) {
    if (retry == null || retry.backoff() != Backoff.LINEAR) {
      return null;
    }
    Duration interval = retry.interval() != null ? retry.interval() : retry.initial();
    if (interval == null || interval.isNegative() || interval.isZero()) {
      return null;
    }
    return interval.multipliedBy(Math.max(1, attempt));
  }
}
