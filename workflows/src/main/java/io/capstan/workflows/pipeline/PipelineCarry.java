package io.capstan.workflows.pipeline;

import io.capstan.workflows.run.TaskState;
import java.time.Instant;
import java.util.Map;

/**
 * The state a pipeline carries across continue-as-new: the state of every task that has left
 * PENDING (outputs included; a task it does not name is PENDING), whether the run is paused, how
 * many executions it has had so far, and when it times out.
 *
 * @param executions the ordinal of the execution that continued as new (1 for the first)
 * @param deadline when the run's {@code timeout} expires, fixed by its first execution; null when
 *     the pipeline has no timeout
 */
public record PipelineCarry(
    Map<String, TaskState> tasks, boolean paused, int executions, Instant deadline) {

  /** A carry without a run timeout. */
  public PipelineCarry(Map<String, TaskState> tasks, boolean paused, int executions) {
    this(tasks, paused, executions, null);
  }
}
