package io.capstan.app.worker;

import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.WorkerRole;
import io.capstan.workers.WorkerSettings;
import io.capstan.workers.gpu.GpuHostAgent;
import io.capstan.workers.infrastructure.InfrastructureWorker;
import io.capstan.workers.tasks.TasksWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The worker roles one process runs, each in a {@link WorkerFactory} of its own, as if each were a
 * process of its own: {@code capstan up} runs every role, {@code capstan worker} the ones it is
 * given. Stopping lets running attempts finish for a moment, then interrupts them: simulated tasks
 * stop, shell processes are killed, and Temporal retries the attempts wherever a worker runs next.
 */
public final class RoleWorkers {
  private final Set<WorkerRole> roles;
  private final WorkerSettings settings;
  private final List<WorkerFactory> factories = new ArrayList<>();
  private GpuHostAgent gpuHosts;

  private RoleWorkers(Set<WorkerRole> roles, WorkerSettings settings) {
    this.roles = roles;
    this.settings = settings;
  }

  /** Registers {@code roles} on {@code client} and starts polling. */
  public static RoleWorkers start(
      WorkflowClient client, Set<WorkerRole> roles, WorkerSettings settings) {
    RoleWorkers workers =
        new RoleWorkers(
            roles.isEmpty() ? EnumSet.noneOf(WorkerRole.class) : EnumSet.copyOf(roles), settings);
    for (WorkerRole role : workers.roles) {
      if (role == WorkerRole.GPU && settings.gpuHosts().isEmpty()) {
        continue;
      }
      WorkerFactory factory = WorkerFactory.newInstance(client);
      if (role == WorkerRole.GPU) {
        workers.gpuHosts =
            GpuHostAgent.register(factory, settings.gpuHosts(), GpuHostAgent.FLEET_DEFAULTS);
      } else {
        role.register(factory, settings);
      }
      workers.factories.add(factory);
    }
    workers.factories.forEach(WorkerFactory::start);
    if (workers.gpuHosts != null) {
      // The hosts join the fleet once their queues are polled: the fleet's first liveness watch
      // must find them.
      workers.gpuHosts.join();
    }
    return workers;
  }

  public Set<WorkerRole> roles() {
    return Set.copyOf(roles);
  }

  /** The executors these roles run. */
  public Set<ExecutorKind> executors() {
    Set<ExecutorKind> kinds = EnumSet.noneOf(ExecutorKind.class);
    if (roles.contains(WorkerRole.TASKS)) {
      kinds.addAll(TasksWorker.executors(settings));
    }
    if (roles.contains(WorkerRole.INFRASTRUCTURE)) {
      kinds.addAll(InfrastructureWorker.executors());
    }
    if (gpuHosts != null) {
      kinds.add(ExecutorKind.GPU);
    }
    return kinds;
  }

  /**
   * Stops every role: first asks them all to finish, then waits up to {@code grace} for each, then
   * interrupts what is left.
   */
  public void stop(Duration grace) throws InterruptedException {
    if (gpuHosts != null) {
      gpuHosts.close();
    }
    factories.forEach(WorkerFactory::shutdown);
    for (WorkerFactory factory : factories) {
      factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
      if (!factory.isTerminated()) {
        factory.shutdownNow();
        factory.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    }
  }
}
