package io.capstan.definitions.pipeline;

import java.time.Duration;

/**
 * How often and how patiently a task is retried. Absent fields fall back to the pipeline's {@code
 * defaults.retry}, then to {@link #DEFAULT}.
 */
public record RetrySpec(
    Integer maxAttempts,
    Backoff backoff,
    Duration initial,
    Duration max,
    Double multiplier,
    Duration interval) {

  /** One attempt only: a task retries only when the definition asks for it. */
  public static final RetrySpec DEFAULT =
      new RetrySpec(
          1, Backoff.EXPONENTIAL, Duration.ofSeconds(1), Duration.ofMinutes(5), 2.0, null);

  /** This spec with every absent field taken from {@code fallback}. */
  public RetrySpec orElse(RetrySpec fallback) {
    if (fallback == null) {
      return this;
    }
    return new RetrySpec(
        maxAttempts != null ? maxAttempts : fallback.maxAttempts(),
        backoff != null ? backoff : fallback.backoff(),
        initial != null ? initial : fallback.initial(),
        max != null ? max : fallback.max(),
        multiplier != null ? multiplier : fallback.multiplier(),
        interval != null ? interval : fallback.interval());
  }
}
