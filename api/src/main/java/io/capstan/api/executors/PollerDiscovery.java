package io.capstan.api.executors;

import com.google.protobuf.util.Timestamps;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.WorkerIdentity;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.TaskQueueType;
import io.temporal.api.taskqueue.v1.PollerInfo;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Learns the served executors from the live workers: Temporal lists the recent pollers of each
 * activity queue with their identities, and a Capstan worker's identity advertises its executors
 * ({@link WorkerIdentity}). Nothing is registered anywhere, so nothing goes stale when a worker
 * process dies: its pollers simply stop being recent.
 *
 * <p>A poller counts while it polled within {@link #FRESH}: an idle worker's long poll lasts up to
 * a minute before it polls again, so a stopped worker stops counting within 90 s. The answer is
 * kept for {@link #CACHE} so that a burst of submissions asks Temporal once.
 *
 * <p>The in-process Java test server cannot describe a task queue, and a server may deny it to this
 * API's credentials; then the answer is {@code fallback}, the executors of the roles this process
 * runs (on the test server the only ones: it lives in this process's memory).
 */
public final class PollerDiscovery implements ServedExecutors {
  /** How recently a poller must have polled to count as live. */
  public static final Duration FRESH = Duration.ofSeconds(90);

  /** How long one answer is reused. */
  static final Duration CACHE = Duration.ofSeconds(1);

  /** The activity queues whose workers advertise executors. */
  static final List<String> QUEUES = List.of(TaskQueues.TASKS, TaskQueues.INFRASTRUCTURE);

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final Supplier<Set<ExecutorKind>> fallback;
  private final java.util.function.BooleanSupplier gpuFleet;
  private final Clock clock;
  private Set<ExecutorKind> cached;
  private Instant cachedAt = Instant.MIN;

  public PollerDiscovery(
      WorkflowServiceStubs stubs, String namespace, Supplier<Set<ExecutorKind>> fallback) {
    this(stubs, namespace, fallback, () -> false, Clock.systemUTC());
  }

  /**
   * @param gpuFleet whether the GPU fleet has a host in service ({@link GpuFleetProbe}): GPU hosts
   *     poll queues named after themselves, which cannot be listed
   */
  public PollerDiscovery(
      WorkflowServiceStubs stubs,
      String namespace,
      Supplier<Set<ExecutorKind>> fallback,
      java.util.function.BooleanSupplier gpuFleet) {
    this(stubs, namespace, fallback, gpuFleet, Clock.systemUTC());
  }

  PollerDiscovery(
      WorkflowServiceStubs stubs,
      String namespace,
      Supplier<Set<ExecutorKind>> fallback,
      Clock clock) {
    this(stubs, namespace, fallback, () -> false, clock);
  }

  PollerDiscovery(
      WorkflowServiceStubs stubs,
      String namespace,
      Supplier<Set<ExecutorKind>> fallback,
      java.util.function.BooleanSupplier gpuFleet,
      Clock clock) {
    this.stubs = stubs;
    this.namespace = namespace;
    this.fallback = fallback;
    this.gpuFleet = gpuFleet;
    this.clock = clock;
  }

  /**
   * @throws StatusRuntimeException when Temporal cannot be asked (it is down, say); the API answers
   *     that as it answers any Temporal outage
   */
  @Override
  public synchronized Set<ExecutorKind> served() {
    Instant now = clock.instant();
    if (cached != null && now.isBefore(cachedAt.plus(CACHE))) {
      return cached;
    }
    Set<ExecutorKind> served = EnumSet.noneOf(ExecutorKind.class);
    try {
      for (String queue : QUEUES) {
        for (PollerInfo poller : pollers(queue)) {
          Instant last = Instant.ofEpochMilli(Timestamps.toMillis(poller.getLastAccessTime()));
          if (!last.isBefore(now.minus(FRESH))) {
            served.addAll(WorkerIdentity.executorsOf(poller.getIdentity()));
          }
        }
      }
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      if (code != Status.Code.UNIMPLEMENTED && code != Status.Code.PERMISSION_DENIED) {
        throw e;
      }
      served = EnumSet.noneOf(ExecutorKind.class);
      served.addAll(fallback.get());
    }
    if (!served.contains(ExecutorKind.GPU) && gpuFleet.getAsBoolean()) {
      served.add(ExecutorKind.GPU);
    }
    cached = Set.copyOf(served);
    cachedAt = now;
    return cached;
  }

  private List<PollerInfo> pollers(String queue) {
    return stubs
        .blockingStub()
        .describeTaskQueue(
            DescribeTaskQueueRequest.newBuilder()
                .setNamespace(namespace)
                .setTaskQueue(TaskQueue.newBuilder().setName(queue))
                .setTaskQueueType(TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)
                .build())
        .getPollersList();
  }
}
