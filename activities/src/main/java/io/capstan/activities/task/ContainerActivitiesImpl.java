package io.capstan.activities.task;

import io.capstan.activities.kube.KubeSettings;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.task.ContainerActivities;
import io.capstan.workflows.task.ContainerRequest;
import io.capstan.workflows.task.JobRef;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskOutcome;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import java.time.Duration;

/**
 * The {@code container} executor on the infrastructure queue: one Kubernetes Job per attempt (see
 * {@link ContainerExecutor}). One instance serves every concurrent attempt of a worker.
 */
public final class ContainerActivitiesImpl implements ContainerActivities {
  private final String host;
  private final ContainerExecutor executor;

  /**
   * @param client the cluster the Jobs run on; the caller closes it
   * @param store where outputs above the inline limit and pods' log tails go
   */
  public ContainerActivitiesImpl(
      KubernetesClient client, KubeSettings settings, OutputStore store, String host) {
    this.host = host;
    this.executor = new ContainerExecutor(client, settings, new Outputs(store));
  }

  @Override
  public TaskOutcome container(ContainerRequest request) {
    ActivityExecutionContext execution = Activity.getExecutionContext();
    TaskContext context = request == null ? null : request.context();
    Attempt attempt =
        new Attempt(
            context, Math.max(1, execution.getInfo().getAttempt()), host, execution::heartbeat);
    if (request == null || request.spec() == null) {
      throw attempt.nonRetryable(TaskFailures.INVALID, "container request without a spec", null);
    }
    JobRef previous = execution.getHeartbeatDetails(JobRef.class).orElse(null);
    Duration timeout = execution.getInfo().getStartToCloseTimeout();
    return executor.run(request.spec(), request.inputs(), attempt, previous, timeout);
  }
}
