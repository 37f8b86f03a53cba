package io.capstan.workflows.task;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The CPU-side executors of pipeline tasks and jobs, served on the control-plane queue. Each call
 * is one attempt; Temporal retries it according to the task's {@code RetryOptions}.
 */
@ActivityInterface
public interface TaskActivities {
  /** The activity type of {@link #simulate}, as the Web UI and the history show it. */
  String SIMULATE = "Simulate";

  /** The activity type of {@link #shell}. */
  String SHELL = "Shell";

  @ActivityMethod(name = SIMULATE)
  TaskOutcome simulate(SimulateRequest request);

  @ActivityMethod(name = SHELL)
  TaskOutcome shell(ShellRequest request);
}
