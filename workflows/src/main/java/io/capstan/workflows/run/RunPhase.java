package io.capstan.workflows.run;

/**
 * The phase a run's own state reports; Temporal's execution status is the authority once closed.
 */
public enum RunPhase {
  RUNNING,
  /** Paused by the {@code pause} signal: no new task starts until {@code resume}. */
  PAUSED,
  /**
   * A task failed for good in a pipeline with {@code onFailure: pause}: no new task starts, and the
   * run waits for every FAILED task to be retried ({@code retryTask}) or for {@code abort}.
   */
  WAITING,
  SUCCEEDED,
  FAILED,
  CANCELED
}
