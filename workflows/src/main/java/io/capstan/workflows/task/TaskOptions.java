package io.capstan.workflows.task;

import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.List;

/**
 * How a task's {@code retry} and {@code timeout} become Temporal activity options, the same for
 * pipeline tasks and job completions.
 *
 * <p>Retries are Temporal's own: each activity call is one attempt and the server schedules the
 * next one. Exponential backoff maps onto {@link RetryOptions} directly. Linear and fixed backoff
 * use a coefficient of 1 with {@code interval} as the initial interval, which is exactly the fixed
 * schedule; for linear, the activity asks for {@code interval × attempt} through {@code
 * ApplicationFailure.setNextRetryDelay}, which the server (the Java test server included) uses in
 * place of the computed interval.
 *
 * <p>Contract with the executors: a task's {@code timeout} bounds each attempt (start-to-close).
 * Attempts that may run longer than {@link #HEARTBEAT_TIMEOUT} carry that heartbeat timeout, so
 * executors heartbeat at least every {@link #HEARTBEAT_INTERVAL}; heartbeats are also how an
 * activity learns that it was canceled.
 */
public final class TaskOptions {
  /** A task's per-attempt timeout when neither the task nor the defaults set one. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(1);

  /** A worker that stopped heartbeating for this long is presumed dead and the attempt retried. */
  public static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

  /** How often executors are expected to heartbeat: a third of the heartbeat timeout. */
  public static final Duration HEARTBEAT_INTERVAL = HEARTBEAT_TIMEOUT.dividedBy(3);

  /** Failure types that no retry can fix: bad requests and a worker without shell support. */
  public static final List<String> NON_RETRYABLE =
      List.of(TaskFailures.SHELL_DISABLED, TaskFailures.SHELL_START, TaskFailures.INVALID);

  private static final Duration FALLBACK_INTERVAL = Duration.ofSeconds(1);

  private TaskOptions() {}

  /** The retry policy for {@code retry}; absent fields fall back to {@link RetrySpec#DEFAULT}. */
  public static RetryOptions retryOptions(RetrySpec retry) {
    RetrySpec spec = retry.orElse(RetrySpec.DEFAULT);
    RetryOptions.Builder options =
        RetryOptions.newBuilder()
            .setMaximumAttempts(maxAttempts(spec))
            .setDoNotRetry(NON_RETRYABLE.toArray(String[]::new));
    if (spec.backoff() == Backoff.EXPONENTIAL) {
      Duration initial = positiveOr(spec.initial(), FALLBACK_INTERVAL);
      options
          .setInitialInterval(initial)
          .setBackoffCoefficient(
              spec.multiplier() == null ? 2.0 : Math.max(1.0, spec.multiplier()));
      if (spec.max() != null && spec.max().compareTo(initial) >= 0) {
        options.setMaximumInterval(spec.max());
      }
    } else {
      Duration interval =
          positiveOr(spec.interval(), positiveOr(spec.initial(), FALLBACK_INTERVAL));
      options.setInitialInterval(interval).setBackoffCoefficient(1.0);
      if (spec.backoff() == Backoff.FIXED) {
        // Linear delays grow past the interval by way of nextRetryDelay, so only fixed is capped.
        options.setMaximumInterval(interval);
      }
    }
    return options.build();
  }

  /**
   * The wait before attempt {@code failed + 1}, after attempt {@code failed} (1-based) failed, as
   * Temporal would schedule it under {@link #retryOptions}: for workflow code that retries itself
   * (a {@code gpu} task leases devices anew for every attempt).
   */
  public static Duration retryDelay(RetrySpec retry, int failed) {
    RetrySpec spec = retry.orElse(RetrySpec.DEFAULT);
    int n = Math.max(1, failed);
    if (spec.backoff() == Backoff.EXPONENTIAL) {
      Duration initial = positiveOr(spec.initial(), FALLBACK_INTERVAL);
      double multiplier = spec.multiplier() == null ? 2.0 : Math.max(1.0, spec.multiplier());
      double millis = initial.toMillis() * Math.pow(multiplier, n - 1);
      Duration delay = Duration.ofMillis((long) Math.min(millis, Long.MAX_VALUE / 2.0));
      if (spec.max() != null
          && spec.max().compareTo(initial) >= 0
          && delay.compareTo(spec.max()) > 0) {
        return spec.max();
      }
      return delay;
    }
    Duration interval = positiveOr(spec.interval(), positiveOr(spec.initial(), FALLBACK_INTERVAL));
    return spec.backoff() == Backoff.LINEAR ? interval.multipliedBy(n) : interval;
  }

  /** Attempts in total, the first included; Temporal reads 0 as unlimited, Capstan never does. */
  public static int maxAttempts(RetrySpec retry) {
    Integer attempts = retry.orElse(RetrySpec.DEFAULT).maxAttempts();
    return Math.max(1, attempts);
  }

  /** The per-attempt timeout: the task's own, else the default one. */
  public static Duration attemptTimeout(Duration timeout) {
    return positiveOr(timeout, DEFAULT_TIMEOUT);
  }

  /**
   * Options for the activity that runs task {@code task}. Its summary names the task, so the Web UI
   * shows which task each activity is (the Java SDK assigns activity ids itself and offers no way
   * to choose them). Cancellation waits for the executor to confirm, so a task reported CANCELED
   * has really stopped.
   *
   * @param taskQueue the queue of the workers that run this executor ({@code TaskQueues}), or null
   *     for the workflow's own queue
   */
  public static ActivityOptions activityOptions(
      String task, RetrySpec retry, Duration timeout, String taskQueue) {
    Duration perAttempt = attemptTimeout(timeout);
    ActivityOptions.Builder options =
        ActivityOptions.newBuilder()
            .setTaskQueue(taskQueue)
            .setSummary(summary(task))
            .setStartToCloseTimeout(perAttempt)
            .setRetryOptions(retryOptions(retry))
            .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
    if (perAttempt.compareTo(HEARTBEAT_TIMEOUT) > 0) {
      options.setHeartbeatTimeout(HEARTBEAT_TIMEOUT);
    }
    return options.build();
  }

  /** The summary of a task's activity, as the Web UI and the history show it. */
  public static String summary(String task) {
    return "task " + task;
  }

  /** A duration as definitions write it: {@code 1h30m}, {@code 45s}, {@code 250ms}. */
  public static String describe(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long days = duration.toDays();
    if (days > 0) {
      out.append(days).append('d');
    }
    if (duration.toHoursPart() > 0) {
      out.append(duration.toHoursPart()).append('h');
    }
    if (duration.toMinutesPart() > 0) {
      out.append(duration.toMinutesPart()).append('m');
    }
    if (duration.toSecondsPart() > 0) {
      out.append(duration.toSecondsPart()).append('s');
    }
    if (duration.toMillisPart() > 0) {
      out.append(duration.toMillisPart()).append("ms");
    }
    return out.toString();
  }

  private static Duration positiveOr(Duration value, Duration fallback) {
    return value == null || value.isZero() || value.isNegative() ? fallback : value;
  }
}
