package io.capstan.workflows.task;

import io.temporal.workflow.Workflow;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tasks a workflow has in flight, and those that ended but were not yet taken, in the order
 * they ended. Ends are queued from promise callbacks, so a workflow waits for "any task ended" with
 * one cheap {@code Workflow.await} condition however many tasks run.
 *
 * <p>Workflow code only.
 */
public final class RunningTasks {
  /** A task that ended, with how. */
  public record Ended(String task, TaskResult result) {}

  private final Map<String, TaskRun> running = new LinkedHashMap<>();
  private final ArrayDeque<Ended> ended = new ArrayDeque<>();

  public void add(TaskRun run) {
    running.put(run.task(), run);
    run.result()
        .thenApply(
            result -> {
              ended.add(new Ended(run.task(), result));
              return null;
            });
  }

  /** Tasks started and not yet taken with {@link #poll()}. */
  public int size() {
    return running.size();
  }

  public boolean isEmpty() {
    return running.isEmpty();
  }

  /** Whether a task ended and waits to be taken. */
  public boolean hasEnded() {
    return !ended.isEmpty();
  }

  /** The next task that ended, now no longer running; null if none did. */
  public Ended poll() {
    Ended next = ended.poll();
    if (next != null) {
      running.remove(next.task());
    }
    return next;
  }

  /** Asks every running task to stop; each then ends CANCELED, or as it ended meanwhile. */
  public void cancelAll(String reason) {
    for (TaskRun run : running.values()) {
      run.cancel(reason);
    }
  }

  /**
   * Blocks until a task ended. Throws {@code CanceledFailure} when the workflow is canceled, unless
   * called from a detached scope.
   */
  public void awaitEnded() {
    Workflow.await(this::hasEnded);
  }
}
