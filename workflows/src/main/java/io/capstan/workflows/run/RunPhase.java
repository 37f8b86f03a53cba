package io.capstan.workflows.run;

/**
 * The phase a run's own state reports; Temporal's execution status is the authority once closed.
 */
public enum RunPhase {
  RUNNING,
  PAUSED,
  SUCCEEDED,
  FAILED,
  CANCELED
}
