package io.capstan.workers.infrastructure;

import io.capstan.activities.cloud.AwsClients;
import io.capstan.activities.cloud.CloudActivitiesImpl;
import io.capstan.activities.cloud.InstanceTypes;
import io.capstan.activities.cluster.AlertActivitiesImpl;
import io.capstan.activities.cluster.NodeActivitiesImpl;
import io.capstan.activities.task.ContainerActivitiesImpl;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.KubeTarget;
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
 * The infrastructure worker on {@link TaskQueues#INFRASTRUCTURE}: the {@code container} executor
 * (Kubernetes Jobs) and the clusters' operations (Auto Scaling groups through the AWS SDK, their
 * nodes through fabric8, budget webhooks). It needs a cluster ({@link
 * WorkerSettings#kubernetes()}); its identity advertises {@code container}, which is how the API
 * learns that container tasks are served.
 */
public final class InfrastructureWorker {
  public static final String ROLE = "infrastructure";

  /** As for the tasks role: cancellations reach a running attempt within a second. */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  /** How often a wait for nodes lists them again (one list per waiting pool). */
  static final Duration NODE_POLL = Duration.ofMillis(250);

  /** How often a wait for instances asks the cloud again (AWS's API rate limits are per second). */
  static final Duration CLOUD_POLL = Duration.ofMillis(500);

  private InfrastructureWorker() {}

  /**
   * Creates the worker on {@code factory}; it starts polling when the factory starts.
   *
   * @throws IllegalStateException when the settings name no cluster
   */
  public static Worker register(WorkerFactory factory, WorkerSettings settings) {
    KubeTarget kube = settings.kubernetes();
    if (kube == null) {
      throw new IllegalStateException(
          "the infrastructure role runs container tasks on Kubernetes, and no cluster is"
              + " configured: pass --kubeconfig PATH (and --kube-context NAME), or run it inside"
              + " a cluster");
    }
    ContainerActivitiesImpl containers =
        new ContainerActivitiesImpl(
            kube.connect(), kube.settings(), settings.activities().outputs(), settings.hostName());
    Worker worker =
        factory.newWorker(
            TaskQueues.INFRASTRUCTURE,
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(settings.maxConcurrentActivities())
                .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
                .setDefaultHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
                .setIdentity(
                    new WorkerIdentity(
                            ROLE, settings.hostName(), ProcessHandle.current().pid(), executors())
                        .toString())
                .build());
    worker.registerActivitiesImplementations(
        containers,
        new CloudActivitiesImpl(
            new AwsClients(settings.aws()), InstanceTypes.shipped(), CLOUD_POLL),
        new NodeActivitiesImpl(new ClusterClients(kube), NODE_POLL),
        new AlertActivitiesImpl());
    return worker;
  }

  /** The executor kinds this worker runs. */
  public static Set<ExecutorKind> executors() {
    return EnumSet.of(ExecutorKind.CONTAINER);
  }
}
