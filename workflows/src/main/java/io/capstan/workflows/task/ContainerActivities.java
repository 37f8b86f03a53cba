package io.capstan.workflows.task;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The {@code container} executor, served on the infrastructure queue: each attempt is one
 * Kubernetes Job, followed to its end. Temporal retries attempts under the task's retry policy; the
 * Job itself never retries (its {@code backoffLimit} is 0).
 */
@ActivityInterface
public interface ContainerActivities {
  /** The activity type of {@link #container}, as the Web UI and the history show it. */
  String CONTAINER = "Container";

  @ActivityMethod(name = CONTAINER)
  TaskOutcome container(ContainerRequest request);
}
