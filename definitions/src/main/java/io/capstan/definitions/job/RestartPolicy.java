package io.capstan.definitions.job;

import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import java.time.Duration;

/**
 * How a failed job attempt is restarted: up to {@code maxRetries} more times, waiting as {@code
 * backoff} says, starting from {@code initial} (exponential) or {@code interval} (linear, fixed).
 */
public record RestartPolicy(
    Integer maxRetries,
    Backoff backoff,
    Duration initial,
    Duration max,
    Double multiplier,
    Duration interval) {
  public RestartPolicy {
    maxRetries = maxRetries == null ? 0 : maxRetries;
  }

  /** The same policy as a task retry spec: attempts are retries plus the first run. */
  public RetrySpec asRetry() {
    return new RetrySpec(maxRetries + 1, backoff, initial, max, multiplier, interval)
        .orElse(RetrySpec.DEFAULT);
  }
}
