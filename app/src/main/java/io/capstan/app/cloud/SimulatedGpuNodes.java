package io.capstan.app.cloud;

import io.capstan.gpu.GpuHost;
import io.capstan.gpu.SimulatedGpus;
import io.capstan.workers.gpu.GpuHostAgent;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GPU agents of a simulated cloud's GPU nodes: each GPU node gets a GPU worker named after the
 * node, polling {@code capstan-gpu@NODE} with simulated devices, and joins the GPU fleet, as the
 * GPU agent DaemonSet does on a real cluster. So a simulated cluster's GPU pools are burned in at
 * creation, and their nodes take gpu tasks. Simulated work runs ten times faster than real time (a
 * 60 s burn-in takes 6 s).
 */
public final class SimulatedGpuNodes implements SimulatedCloud.GpuNodes, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SimulatedGpuNodes.class);

  /** Labels the simulated nodes' devices offer to gpu tasks. */
  static final String NODE_LABEL = "capstan.io/node";

  private record Agent(WorkerFactory factory, GpuHostAgent membership) {}

  private final WorkflowClient client;
  private final Map<String, Agent> agents = new ConcurrentHashMap<>();

  public SimulatedGpuNodes(WorkflowClient client) {
    this.client = client;
  }

  /** Simulated time: a tenth of the real. */
  static LongConsumer tenfold() {
    LongConsumer sleeping = SimulatedGpus.sleeping();
    return nanos -> sleeping.accept(Math.max(1, nanos / 10));
  }

  @Override
  public synchronized void up(String node, int gpus) {
    if (agents.containsKey(node)) {
      return;
    }
    GpuHost host =
        new GpuHost(
            node,
            SimulatedGpus.of(node, Math.min(gpus, 16), tenfold()),
            Map.of("capstan.io/simulated", "true", NODE_LABEL, node));
    WorkerFactory factory = WorkerFactory.newInstance(client);
    GpuHostAgent membership =
        GpuHostAgent.register(factory, List.of(host), GpuHostAgent.FLEET_DEFAULTS);
    factory.start();
    membership.join();
    agents.put(node, new Agent(factory, membership));
    LOG.info("GPU node {} runs a simulated GPU worker with {} devices", node, gpus);
  }

  @Override
  public synchronized void gone(String node) {
    Agent agent = agents.remove(node);
    if (agent != null) {
      stop(agent);
      LOG.info("GPU node {} is gone: its GPU worker stopped", node);
    }
  }

  private static void stop(Agent agent) {
    agent.membership().close();
    agent.factory().shutdown();
  }

  @Override
  public synchronized void close() {
    agents.values().forEach(SimulatedGpuNodes::stop);
    agents.clear();
  }
}
