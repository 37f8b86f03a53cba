package io.capstan.workers.gpu;

import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.gpu.GpuActivitiesImpl;
import io.capstan.gpu.GpuHost;
import io.capstan.gpu.HostLiveness;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.WorkerIdentity;
import io.capstan.workflows.gpu.HostActivities;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;
import java.time.Duration;
import java.util.Set;

/**
 * A GPU host's worker: device work ({@code GpuActivities}) and the liveness watch on the host's own
 * queue, {@code capstan-gpu@HOST}, so work leased to this host's devices runs here and nowhere
 * else. Only wiring: {@link GpuHost#register} joins the fleet once the factory polls.
 */
public final class GpuWorker {
  public static final String ROLE = "gpu";

  /** Device work and liveness at once: a burn-in per device, validations, and the watch. */
  static final int MAX_CONCURRENT_ACTIVITIES = 64;

  /** Heartbeats carry burn-in rates and cancellations; the SDK would batch them for seconds. */
  static final Duration HEARTBEAT_THROTTLE = Duration.ofSeconds(1);

  private GpuWorker() {}

  /** Creates the host's worker on {@code factory}; it starts polling when the factory starts. */
  public static Worker register(WorkerFactory factory, GpuHost host, HostLiveness liveness) {
    return register(factory, host, (HostActivities) liveness);
  }

  /** As above, with the liveness watch given (a test's, that can play a dead host). */
  static Worker register(WorkerFactory factory, GpuHost host, HostActivities liveness) {
    Worker worker =
        factory.newWorker(
            TaskQueues.gpu(host.host()),
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(MAX_CONCURRENT_ACTIVITIES)
                .setMaxHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
                .setDefaultHeartbeatThrottleInterval(HEARTBEAT_THROTTLE)
                .setIdentity(
                    new WorkerIdentity(
                            ROLE,
                            host.host(),
                            ProcessHandle.current().pid(),
                            Set.of(ExecutorKind.GPU))
                        .toString())
                .build());
    worker.registerActivitiesImplementations(
        new GpuActivitiesImpl(host.host(), host.backend()), liveness);
    return worker;
  }
}
