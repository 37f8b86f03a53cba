package io.capstan.workflows.task;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The CPU-side executors of pipeline tasks and jobs, served on the control-plane queue. Each call
 * is one attempt; Temporal retries it according to the task's {@code RetryOptions}.
 */
@ActivityInterface
public interface TaskActivities {
  @ActivityMethod(name = "Simulate")
  TaskOutcome simulate(SimulateRequest request);

  @ActivityMethod(name = "Shell")
  TaskOutcome shell(ShellRequest request);
}
