package io.capstan.workers;

import io.capstan.workers.controlplane.ControlPlaneWorker;
import io.capstan.workers.gpu.GpuHostAgent;
import io.capstan.workers.infrastructure.InfrastructureWorker;
import io.capstan.workers.tasks.TasksWorker;
import io.capstan.workflows.TaskQueues;
import io.temporal.worker.WorkerFactory;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * What a worker process does: each role polls its own task queue ({@link TaskQueues}). {@code
 * capstan up} runs every role in one process; {@code capstan worker --role ROLE} runs one, so a
 * deployment scales a capability by starting more processes of its role against one Temporal.
 *
 * <p>The GPU role polls one queue per GPU host ({@link TaskQueues#gpu(String)}): device work leased
 * to a host's devices runs on that host only.
 */
public enum WorkerRole {
  /** Pipeline and job workflows: deterministic code, no side effects. */
  CONTROL_PLANE("control-plane", TaskQueues.CONTROL_PLANE),
  /** The CPU executors: {@code simulate} and, where enabled, {@code shell}. */
  TASKS("tasks", TaskQueues.TASKS),
  /** The {@code container} executor (Kubernetes Jobs); needs a cluster. */
  INFRASTRUCTURE("infrastructure", TaskQueues.INFRASTRUCTURE),
  /**
   * Device work of this process's GPU hosts ({@code gpu} tasks, burn-ins), each host on its own
   * queue {@code capstan-gpu@HOST}; the hosts join the GPU fleet.
   */
  GPU("gpu", TaskQueues.GPU_PREFIX + "HOST");

  private final String id;
  private final String taskQueue;

  WorkerRole(String id, String taskQueue) {
    this.id = id;
    this.taskQueue = taskQueue;
  }

  /** The role's name on the command line and in worker identities. */
  public String id() {
    return id;
  }

  /** The queue this role polls. */
  public String taskQueue() {
    return taskQueue;
  }

  /** Registers this role's worker(s) on {@code factory}; they poll once the factory starts. */
  public void register(WorkerFactory factory, WorkerSettings settings) {
    switch (this) {
      case CONTROL_PLANE -> ControlPlaneWorker.register(factory, settings);
      case TASKS -> TasksWorker.register(factory, settings);
      case INFRASTRUCTURE -> InfrastructureWorker.register(factory, settings);
      case GPU -> GpuHostAgent.register(factory, settings.gpuHosts(), GpuHostAgent.FLEET_DEFAULTS);
    }
  }

  /** The role named {@code id}, e.g. {@code tasks}. */
  public static WorkerRole parse(String id) {
    for (WorkerRole role : values()) {
      if (role.id.equalsIgnoreCase(id == null ? "" : id.trim())) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown worker role '" + id + "': use one of " + names());
  }

  /** Every role's name, for help texts and errors. */
  public static String names() {
    return Arrays.stream(values()).map(WorkerRole::id).collect(Collectors.joining(", "));
  }

  @Override
  public String toString() {
    return id;
  }
}
