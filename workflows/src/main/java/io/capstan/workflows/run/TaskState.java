package io.capstan.workflows.run;

import java.time.Instant;

/**
 * What is known of one task: its phase, how many attempts it has made, its output or last error,
 * when it started and finished, and the worker host that ran its last attempt.
 */
public record TaskState(
    TaskPhase state,
    int attempts,
    String output,
    String error,
    Instant startedAt,
    Instant finishedAt,
    String host) {

  public static TaskState pending() {
    return new TaskState(TaskPhase.PENDING, 0, null, null, null, null, null);
  }
}
