package io.capstan.activities.task;

import io.capstan.workflows.task.ShellRequest;
import io.capstan.workflows.task.SimulateRequest;
import io.capstan.workflows.task.TaskActivities;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;

/**
 * The control plane's task executors. One instance serves every concurrent attempt on a worker, so
 * it holds no per-attempt state. Each failure is an {@code ApplicationFailure} with a {@link
 * TaskFailures} type and the details (attempt, host).
 */
public final class TaskActivitiesImpl implements TaskActivities {
  private final String host;
  private final SimulateExecutor simulate;
  private final ShellExecutor shell;

  public TaskActivitiesImpl(TaskActivitiesOptions options) {
    this.host = options.host();
    Outputs outputs = new Outputs(options.outputs());
    this.simulate = new SimulateExecutor(options.clock(), options.heartbeatStep(), outputs);
    this.shell =
        new ShellExecutor(
            options.shellPolicy(),
            options.secrets(),
            options.clock(),
            options.heartbeatStep(),
            outputs);
  }

  @Override
  public TaskOutcome simulate(SimulateRequest request) {
    Attempt attempt = attempt(request == null ? null : request.context());
    if (request == null || request.spec() == null) {
      throw attempt.nonRetryable(TaskFailures.INVALID, "simulate request without a spec", null);
    }
    return simulate.run(request.spec(), request.inputs(), attempt);
  }

  @Override
  public TaskOutcome shell(ShellRequest request) {
    Attempt attempt = attempt(request == null ? null : request.context());
    if (request == null || request.spec() == null) {
      throw attempt.nonRetryable(TaskFailures.INVALID, "shell request without a spec", null);
    }
    return shell.run(request.spec(), request.inputs(), attempt);
  }

  private Attempt attempt(TaskContext context) {
    ActivityExecutionContext execution = Activity.getExecutionContext();
    // Temporal numbers attempts from 1; Temporal's TestActivityEnvironment reports 0.
    int number = Math.max(1, execution.getInfo().getAttempt());
    return new Attempt(context, number, host, execution::heartbeat);
  }
}
