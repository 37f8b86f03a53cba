package io.capstan.workflows.pipeline;

import io.capstan.workflows.run.TaskState;
import java.util.Map;

/**
 * The state a pipeline carries across continue-as-new: every task's state (outputs included),
 * whether it is paused, and the history-length budget that triggers the next continue-as-new.
 */
public record PipelineCarry(Map<String, TaskState> tasks, boolean paused, int executions) {}
