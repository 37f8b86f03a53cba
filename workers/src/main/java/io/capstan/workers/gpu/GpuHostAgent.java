package io.capstan.workers.gpu;

import io.capstan.gpu.GpuHost;
import io.capstan.gpu.HostLiveness;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.gpu.GpuDeviceInfo;
import io.capstan.workflows.gpu.GpuFleetWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU role of one process: a worker per GPU host on that host's queue, and each host's
 * membership of the fleet. A host registers (update-with-start, so the first one starts the fleet)
 * once its worker polls, retrying while the control plane is not there yet; and it registers again
 * whenever its liveness watch has been quiet for longer than the fleet waits — the fleet gave it up
 * (a network partition, a paused process) and it must join anew rather than stay out for good.
 */
public final class GpuHostAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GpuHostAgent.class);

  /** The fleet's settings when a host starts it: liveness and validation by default. */
  public static final GpuFleetWorkflow.FleetInput FLEET_DEFAULTS =
      new GpuFleetWorkflow.FleetInput(null, null);

  /** How often membership is checked. */
  static final Duration CHECK_EVERY = Duration.ofSeconds(5);

  private final WorkflowClient client;
  private final List<GpuHost> hosts;
  private final GpuFleetWorkflow.FleetInput fleet;
  private final HostLiveness liveness = new HostLiveness();
  private final Map<String, Instant> registeredAt = new ConcurrentHashMap<>();
  private final Set<String> announced = ConcurrentHashMap.newKeySet();

  /** The uncorrectable ECC count last reported per host/device, so each rise is reported once. */
  private final Map<String, Long> eccReported = new ConcurrentHashMap<>();

  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "capstan-gpu-membership");
            thread.setDaemon(true);
            return thread;
          });

  private GpuHostAgent(
      WorkflowClient client, List<GpuHost> hosts, GpuFleetWorkflow.FleetInput fleet) {
    this.client = client;
    this.hosts = List.copyOf(hosts);
    this.fleet = fleet;
  }

  /** Creates each host's worker on {@code factory}; call {@link #join()} once it polls. */
  public static GpuHostAgent register(
      WorkerFactory factory, List<GpuHost> hosts, GpuFleetWorkflow.FleetInput fleet) {
    GpuHostAgent agent = new GpuHostAgent(factory.getWorkflowClient(), hosts, fleet);
    for (GpuHost host : hosts) {
      GpuWorker.register(factory, host, agent.liveness);
    }
    return agent;
  }

  /** Registers every host now and keeps them registered, in the background. */
  public GpuHostAgent join() {
    scheduler.scheduleWithFixedDelay(this::check, 0, CHECK_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Whether every host has registered at least once. */
  public boolean joined() {
    return registeredAt.keySet().containsAll(hosts.stream().map(GpuHost::host).toList());
  }

  public List<GpuHost> hosts() {
    return hosts;
  }

  private void check() {
    try {
      membership();
      ecc();
    } catch (RuntimeException e) {
      // A scheduled task that throws is never run again: membership must go on.
      LOG.warn("GPU host membership check failed: {}", e.toString());
    }
  }

  /**
   * Quarantines each device whose uncorrectable (double-bit) ECC count rose: the fleet drains it
   * and re-validates it, and the burn-in fails while the errors stand (a reset clears them).
   */
  private void ecc() {
    for (GpuHost host : hosts) {
      if (!registeredAt.containsKey(host.host())) {
        continue;
      }
      for (GpuDeviceInfo device : host.backend().devices()) {
        publish(host.host(), device);
        Long count = device.eccDoubleBit();
        String key = host.host() + "/" + device.index();
        if (count == null || count <= eccReported.getOrDefault(key, 0L)) {
          continue;
        }
        client
            .newWorkflowStub(GpuFleetWorkflow.class, GpuFleetWorkflow.ID)
            .quarantine(
                new GpuFleetWorkflow.DeviceRef(
                    host.host(), device.index(), count + " uncorrectable (double-bit) ECC errors"));
        eccReported.put(key, count);
        LOG.warn(
            "GPU host {} device {}: {} uncorrectable ECC errors, quarantined",
            host.host(),
            device.index(),
            count);
      }
    }
  }

  /**
   * The device's inventory as gauges on the process's Temporal metrics scope, which {@code capstan
   * up} serves on {@code /metrics}; fields the host cannot read are left out.
   */
  private void publish(String host, GpuDeviceInfo device) {
    com.uber.m3.tally.Scope scope =
        client
            .getWorkflowServiceStubs()
            .getOptions()
            .getMetricsScope()
            .tagged(Map.of("host", host, "device", Integer.toString(device.index())));
    scope.gauge("capstan_gpu_memory_bytes").update(device.memoryBytes());
    if (device.temperatureCelsius() != null) {
      scope.gauge("capstan_gpu_temperature_celsius").update(device.temperatureCelsius());
    }
    if (device.powerWatts() != null) {
      scope.gauge("capstan_gpu_power_watts").update(device.powerWatts());
    }
    if (device.utilizationPercent() != null) {
      scope.gauge("capstan_gpu_utilization_ratio").update(device.utilizationPercent() / 100.0);
    }
    if (device.eccDoubleBit() != null) {
      scope.gauge("capstan_gpu_ecc_uncorrectable_errors").update(device.eccDoubleBit());
    }
  }

  private void membership() {
    Duration timeout =
        fleet.livenessTimeout() == null
            ? GpuFleetWorkflow.DEFAULT_LIVENESS
            : fleet.livenessTimeout();
    for (GpuHost host : hosts) {
      Instant registered = registeredAt.get(host.host());
      Instant beat = liveness.lastBeat(host.host()).orElse(registered);
      Instant now = Instant.now();
      boolean quiet =
          registered == null
              || (beat != null
                  && beat.isBefore(now.minus(timeout.multipliedBy(2)))
                  && registered.isBefore(now.minus(timeout.multipliedBy(2))));
      if (!quiet) {
        continue;
      }
      try {
        int devices = host.register(client, TaskQueues.CONTROL_PLANE, fleet);
        registeredAt.put(host.host(), now);
        if (announced.add(host.host())) {
          LOG.info("GPU host {} joined the fleet with {} devices", host.host(), devices);
        } else {
          LOG.warn("GPU host {} registered again: its liveness watch had gone quiet", host.host());
        }
      } catch (RuntimeException e) {
        LOG.info(
            "GPU host {} could not register yet ({}); retrying in {}s",
            host.host(),
            e.getMessage(),
            CHECK_EVERY.toSeconds());
      }
    }
  }

  /** Stops keeping the hosts registered and ends their liveness watches (the worker stops next). */
  @Override
  public void close() {
    scheduler.shutdownNow();
    liveness.stop();
  }
}
