package io.capstan.workflows.run;

import io.capstan.workflows.task.OutputRef;
import java.time.Instant;

/**
 * What is known of one task: its phase, how many attempts it has made, its output or last error,
 * when it started and finished, and the worker host that ran its last attempt.
 *
 * @param output the output when it is small enough for history; null when it is in the store
 * @param outputRef where an output too large for history is (its size, digest and a preview); null
 *     otherwise
 */
public record TaskState(
    TaskPhase state,
    int attempts,
    String output,
    String error,
    Instant startedAt,
    Instant finishedAt,
    String host,
    OutputRef outputRef) {

  public TaskState(
      TaskPhase state,
      int attempts,
      String output,
      String error,
      Instant startedAt,
      Instant finishedAt,
      String host) {
    this(state, attempts, output, error, startedAt, finishedAt, host, null);
  }

  public static TaskState pending() {
    return new TaskState(TaskPhase.PENDING, 0, null, null, null, null, null);
  }

  /** Whether the task left an output, inline or by reference. */
  public boolean hasOutput() {
    return output != null || outputRef != null;
  }
}
