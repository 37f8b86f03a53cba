package io.capstan.workflows.run;

/** The life of a task within a run. */
public enum TaskPhase {
  PENDING,
  RUNNING,
  RETRYING,
  SUCCEEDED,
  FAILED,
  /** Not run because an ancestor failed. */
  SKIPPED,
  CANCELED;

  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED || this == SKIPPED || this == CANCELED;
  }
}
