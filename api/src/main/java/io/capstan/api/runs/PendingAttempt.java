package io.capstan.api.runs;

import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An activity Temporal still holds for a task: the attempt it is on, whether a worker has started
 * it, and what the previous attempt left behind. Temporal retries activities on its own, so while a
 * task waits out its backoff only this shows it: the workflow learns of the failures only when the
 * retries run out.
 *
 * @param attempt 1-based number of the attempt scheduled or running now
 * @param lastFailure the message of the previous attempt's failure, or null
 * @param host the host running the attempt, or the one the last attempt failed on; null if unknown
 */
public record PendingAttempt(
    String task,
    int attempt,
    boolean started,
    String lastFailure,
    String host,
    Instant lastStartedAt) {

  /**
   * The tasks with what their pending attempts add: a task waiting for a retry is {@code RETRYING},
   * with the attempts made so far, the last error and the host that ran it. A task the run reports
   * as finished keeps its state, because the run's own answer is then the newer one.
   *
   * @param addUnknown whether a pending task absent from {@code tasks} is added (when the run's own
   *     state could not be read)
   */
  public static Map<String, TaskState> merge(
      Map<String, TaskState> tasks, Collection<PendingAttempt> pending, boolean addUnknown) {
    Map<String, TaskState> merged = new LinkedHashMap<>(tasks);
    for (PendingAttempt attempt : pending) {
      TaskState known = merged.get(attempt.task());
      if (known == null && !addUnknown) {
        continue;
      }
      TaskState base = known != null ? known : TaskState.pending();
      if (base.state() != null && base.state().isFinal()) {
        continue;
      }
      merged.put(attempt.task(), attempt.applyTo(base));
    }
    return merged;
  }

  TaskState applyTo(TaskState base) {
    boolean retried = attempt > 1;
    String shownHost = host != null && !host.isBlank() ? host : base.host();
    String error = retried && lastFailure != null ? lastFailure : base.error();
    Instant startedAt = base.startedAt() != null ? base.startedAt() : lastStartedAt;
    if (started) {
      return new TaskState(
          TaskPhase.RUNNING,
          Math.max(base.attempts(), attempt),
          base.output(),
          error,
          startedAt,
          null,
          shownHost);
    }
    if (retried) {
      return new TaskState(
          TaskPhase.RETRYING,
          Math.max(base.attempts(), attempt - 1),
          base.output(),
          error,
          startedAt,
          null,
          shownHost);
    }
    return base;
  }
}
