package io.capstan.workers.tasks;

import io.capstan.activities.pipeline.PipelineSegmentActivitiesImpl;
import io.capstan.activities.task.TaskActivitiesImpl;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.WorkerSettings;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.WorkerIdentity;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The tasks worker: the CPU executors ({@code simulate}, and {@code shell} where enabled) on {@link
 * TaskQueues#TASKS}. Its identity advertises which executors it runs, and the API reads that from
 * the queue's pollers to decide what it accepts.
 *
 * <p>Runs started before the task queues were split schedule their tasks on the control plane's
 * queue, so this role polls that queue for activities too (never for workflow tasks) until no such
 * run is left. A {@link WorkerFactory} holds one worker per queue, so this role needs a factory of
 * its own, as every role gets.
 */
public final class TasksWorker {
  public static final String ROLE = "tasks";

  /**
   * Heartbeats carry cancellations back to a running attempt, and the SDK batches them up to this
   * long. Without a cap it waits 0.8 × the heartbeat timeout, so a canceled run would keep its
   * tasks running for many seconds.
   */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  private TasksWorker() {}

  /** Creates the worker on {@code factory}; it starts polling when the factory starts. */
  public static Worker register(WorkerFactory factory, WorkerSettings settings) {
    TaskActivitiesImpl activities = new TaskActivitiesImpl(settings.activities());
    // A large pipeline's segments are read from the same output store as the outputs.
    PipelineSegmentActivitiesImpl segments =
        new PipelineSegmentActivitiesImpl(
            settings.activities().outputs(), factory.getWorkflowClient());
    WorkerOptions options = workerOptions(settings);
    Worker worker = factory.newWorker(TaskQueues.TASKS, options);
    worker.registerActivitiesImplementations(activities, segments);
    factory
        .newWorker(TaskQueues.CONTROL_PLANE, options)
        .registerActivitiesImplementations(activities, segments);
    return worker;
  }

  /** The worker's sizing, heartbeat behaviour and advertised executors. */
  public static WorkerOptions workerOptions(WorkerSettings settings) {
    return WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(settings.maxConcurrentActivities())
        .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
        .setDefaultHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
        .setIdentity(
            new WorkerIdentity(
                    ROLE, settings.hostName(), ProcessHandle.current().pid(), executors(settings))
                .toString())
        .build();
  }

  /** The executor kinds this worker runs. */
  public static Set<ExecutorKind> executors(WorkerSettings settings) {
    return settings.shellEnabled()
        ? EnumSet.of(ExecutorKind.SIMULATE, ExecutorKind.SHELL)
        : EnumSet.of(ExecutorKind.SIMULATE);
  }
}
