package io.capstan.workers.controlplane;

import io.capstan.activities.cluster.RolloutRunActivitiesImpl;
import io.capstan.workers.WorkerSettings;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.WorkerIdentity;
import io.capstan.workflows.cluster.ClusterWorkflowImpl;
import io.capstan.workflows.gpu.GpuFleetWorkflowImpl;
import io.capstan.workflows.gpu.GpuTaskWorkflowImpl;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.rollout.RollingUpdateWorkflowImpl;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.util.Set;

/**
 * The control plane's worker: pipeline, job, cluster and GPU fleet workflows on {@link
 * TaskQueues#CONTROL_PLANE}. It runs no task executor; every task's activity goes to the queue of
 * its capability. It is only wiring; starting and stopping belong to the {@link WorkerFactory} it
 * is registered with.
 */
public final class ControlPlaneWorker {
  public static final String ROLE = "control-plane";

  private ControlPlaneWorker() {}

  /** Creates the worker on {@code factory}; it starts polling when the factory starts. */
  public static Worker register(WorkerFactory factory, WorkerSettings settings) {
    Worker worker =
        factory.newWorker(
            TaskQueues.CONTROL_PLANE,
            WorkerOptions.newBuilder()
                .setMaxConcurrentWorkflowTaskExecutionSize(settings.maxConcurrentWorkflowTasks())
                .setIdentity(
                    new WorkerIdentity(ROLE, settings.hostName(), pid(), Set.of()).toString())
                .build());
    worker.registerWorkflowImplementationTypes(
        PipelineWorkflowImpl.class,
        JobWorkflowImpl.class,
        ClusterWorkflowImpl.class,
        GpuFleetWorkflowImpl.class,
        GpuTaskWorkflowImpl.class,
        RollingUpdateWorkflowImpl.class);
    // The rollout's talk with its cluster's entity needs only the Temporal client, on a queue
    // only this role polls.
    factory
        .newWorker(
            TaskQueues.ENTITY_CALLS,
            WorkerOptions.newBuilder()
                .setIdentity(
                    new WorkerIdentity(ROLE, settings.hostName(), pid(), Set.of()).toString())
                .build())
        .registerActivitiesImplementations(
            new RolloutRunActivitiesImpl(factory.getWorkflowClient()));
    return worker;
  }

  private static long pid() {
    return ProcessHandle.current().pid();
  }
}
