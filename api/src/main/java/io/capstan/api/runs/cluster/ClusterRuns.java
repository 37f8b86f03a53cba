package io.capstan.api.runs.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.runs.KindRuns;
import io.capstan.api.validation.PlanView;
import io.capstan.definitions.ClusterDefinition;
import io.capstan.definitions.Durations;
import io.capstan.definitions.cluster.NodePoolSpec;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.cluster.ClusterInput;
import io.capstan.workflows.cluster.ClusterStatus;
import io.capstan.workflows.cluster.ClusterUpdates;
import io.capstan.workflows.cluster.ClusterWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Clusters run as {@link ClusterWorkflow}: one long-lived entity per cluster, whose run id is
 * derived from its namespace and name and which takes the cluster's operations as Updates.
 */
public final class ClusterRuns implements KindRuns<ClusterDefinition> {
  @Override
  public Class<ClusterDefinition> type() {
    return ClusterDefinition.class;
  }

  @Override
  public String workflowType() {
    return ClusterWorkflow.TYPE;
  }

  @Override
  public Class<ClusterStatus> statusType() {
    return ClusterStatus.class;
  }

  @Override
  public List<String> signals() {
    return List.of();
  }

  @Override
  public List<String> updates() {
    return ClusterUpdates.ALL;
  }

  /** A pool to add and autoscaling settings are checked against the cluster as it is. */
  @Override
  public Object updateArgument(String update, JsonNode body, Supplier<Object> status) {
    return ClusterUpdateBodies.read(update, body, (ClusterStatus) status.get());
  }

  @Override
  public Class<?> updateResult(String update) {
    return ClusterUpdates.Result.class;
  }

  @Override
  public boolean entity() {
    return true;
  }

  @Override
  public List<ExecutorBlock> executors(ClusterDefinition cluster) {
    return List.of();
  }

  @Override
  public void start(
      WorkflowClient client,
      WorkflowOptions options,
      ClusterDefinition cluster,
      Map<String, String> params,
      OutputStore store) {
    ClusterWorkflow stub = client.newWorkflowStub(ClusterWorkflow.class, options);
    WorkflowClient.start(stub::run, ClusterInput.create(cluster));
  }

  @Override
  public String shape(ClusterDefinition cluster) {
    var spec = cluster.spec();
    int nodes = spec.nodePools().stream().mapToInt(NodePoolSpec::desiredSize).sum();
    return spec.provider().name().toLowerCase(Locale.ROOT)
        + " "
        + spec.region()
        + ", "
        + spec.nodePools().size()
        + " pool"
        + (spec.nodePools().size() == 1 ? "" : "s")
        + ", "
        + nodes
        + " node"
        + (nodes == 1 ? "" : "s");
  }

  @Override
  public String details(ClusterDefinition cluster) {
    StringBuilder text = new StringBuilder();
    var spec = cluster.spec();
    text.append("- **provider**: ")
        .append(spec.provider().name().toLowerCase(Locale.ROOT))
        .append(", region ")
        .append(spec.region())
        .append('\n');
    for (NodePoolSpec pool : spec.nodePools()) {
      text.append("- **pool ")
          .append(pool.name())
          .append("**: ")
          .append(pool.instanceType())
          .append(", ")
          .append(pool.minSize())
          .append("..")
          .append(pool.maxSize())
          .append(" (desired ")
          .append(pool.desiredSize())
          .append(")")
          .append(pool.isSpot() ? ", spot" : "")
          .append(pool.isGpu() ? ", " + pool.gpu().perNode() + " GPUs per node" : "")
          .append('\n');
    }
    text.append("- **autoscaling**: ")
        .append(spec.autoscaling().enabled() ? "on" : "off")
        .append('\n');
    text.append("- **readyTimeout**: ").append(Durations.format(spec.readyTimeout())).append('\n');
    text.append("\nOperations: `temporal workflow update execute --name scale|addPool|removePool|")
        .append("setAutoscaling|delete`, or `capstan cluster scale|delete`.\n");
    return text.toString();
  }

  /** The pools come up side by side; the slowest simulated boot sets the expected duration. */
  @Override
  public PlanView plan(ClusterDefinition cluster) {
    List<String> pools = cluster.spec().nodePools().stream().map(NodePoolSpec::name).toList();
    String slowest = pools.get(0);
    Duration longest = Duration.ZERO;
    for (NodePoolSpec pool : cluster.spec().nodePools()) {
      Duration boot =
          pool.simulate() == null
              ? Duration.ZERO
              : pool.simulate().bootDelay().plus(pool.simulate().readyDelay());
      if (boot.compareTo(longest) > 0) {
        longest = boot;
        slowest = pool.name();
      }
    }
    return new PlanView(List.of(pools), new PlanView.CriticalPath(List.of(slowest), longest));
  }
}
