package io.capstan.workers.controlplane;

import io.capstan.activities.task.TaskActivitiesImpl;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workflows.ControlPlane;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/**
 * The control plane's worker: pipeline and job workflows and the CPU-side task executors, on {@link
 * ControlPlane#TASK_QUEUE}. It is only wiring; starting and stopping belong to the {@link
 * WorkerFactory} it is registered with.
 */
public final class ControlPlaneWorker {
  /**
   * Heartbeats carry cancellations back to a running attempt, and the SDK batches them up to this
   * long. Without a cap it waits 0.8 × the heartbeat timeout, so a canceled run would keep its
   * tasks running for many seconds.
   */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  private ControlPlaneWorker() {}

  /** Creates the worker on {@code factory}; it starts polling when the factory starts. */
  public static Worker register(WorkerFactory factory, ControlPlaneWorkerOptions options) {
    Worker worker = factory.newWorker(ControlPlane.TASK_QUEUE, workerOptions(options));
    worker.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class, JobWorkflowImpl.class);
    worker.registerActivitiesImplementations(new TaskActivitiesImpl(options.activities()));
    return worker;
  }

  /** The worker's sizing and heartbeat behaviour. */
  public static WorkerOptions workerOptions(ControlPlaneWorkerOptions options) {
    return WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(options.maxConcurrentActivities())
        .setMaxConcurrentWorkflowTaskExecutionSize(options.maxConcurrentWorkflowTasks())
        .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
        .setDefaultHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
        .build();
  }

  /** The executor kinds this worker runs; the API refuses definitions that need any other. */
  public static Set<ExecutorKind> servedExecutors(ControlPlaneWorkerOptions options) {
    return options.shellEnabled()
        ? EnumSet.of(ExecutorKind.SIMULATE, ExecutorKind.SHELL)
        : EnumSet.of(ExecutorKind.SIMULATE);
  }
}
