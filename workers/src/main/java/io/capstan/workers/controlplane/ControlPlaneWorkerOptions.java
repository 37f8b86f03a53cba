package io.capstan.workers.controlplane;

import io.capstan.activities.task.TaskActivitiesOptions;

/**
 * How the control-plane worker is sized and what it may run.
 *
 * @param shellEnabled whether {@code shell} tasks may start processes on this host
 * @param host the host name reported with every task attempt; null for this machine's
 * @param maxConcurrentActivities task attempts running at once on this worker; pipelines allow up
 *     to this much parallelism before the worker, rather than the definition, becomes the limit
 * @param maxConcurrentWorkflowTasks workflow tasks (decisions) processed at once
 */
public record ControlPlaneWorkerOptions(
    boolean shellEnabled,
    String host,
    int maxConcurrentActivities,
    int maxConcurrentWorkflowTasks) {

  /**
   * Task attempts mostly wait (on a timer, a process or a remote API), so a small machine can hold
   * many: 200 lets a {@code parallelism: 200} pipeline run at full width on a 2-core box.
   */
  public static final int DEFAULT_MAX_CONCURRENT_ACTIVITIES = 200;

  /** Workflow tasks are CPU-bound and short; a few dozen at once keep two cores busy. */
  public static final int DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 50;

  public ControlPlaneWorkerOptions {
    if (maxConcurrentActivities < 1 || maxConcurrentWorkflowTasks < 1) {
      throw new IllegalArgumentException("worker concurrency limits must be at least 1");
    }
  }

  /** The defaults, with shell tasks allowed or not. */
  public static ControlPlaneWorkerOptions defaults(boolean shellEnabled) {
    return new ControlPlaneWorkerOptions(
        shellEnabled,
        null,
        DEFAULT_MAX_CONCURRENT_ACTIVITIES,
        DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS);
  }

  /** The options the task executors run with. */
  public TaskActivitiesOptions activities() {
    return new TaskActivitiesOptions(shellEnabled, host, null, null);
  }
}
