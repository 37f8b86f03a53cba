package io.capstan.definitions.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A Kubernetes cluster's nodes: one Auto Scaling group per pool in {@code region}, from {@code
 * provider}, Ready within {@code readyTimeout}.
 *
 * @param kubernetes null when the cluster's API server is the worker's default one
 * @param network never null: {@link ClusterNetwork#EMPTY} unless said
 * @param nodePools at least one, names unique
 * @param autoscaling never null: {@link AutoscalingSpec#disabled()} unless said
 * @param budget null for no budget
 * @param readyTimeout how long creation may take before it is undone; default 20m
 */
public record ClusterSpec(
    CloudProvider provider,
    String region,
    ClusterKubernetes kubernetes,
    ClusterNetwork network,
    List<NodePoolSpec> nodePools,
    AutoscalingSpec autoscaling,
    BudgetSpec budget,
    Duration readyTimeout) {
  public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofMinutes(20);

  public ClusterSpec {
    network = network == null ? ClusterNetwork.EMPTY : network;
    nodePools = nodePools == null ? List.of() : List.copyOf(nodePools);
    autoscaling = autoscaling == null ? AutoscalingSpec.disabled() : autoscaling;
    readyTimeout = readyTimeout == null ? DEFAULT_READY_TIMEOUT : readyTimeout;
  }

  /** The pool named {@code name}; empty when there is none. */
  public Optional<NodePoolSpec> pool(String name) {
    return nodePools.stream().filter(pool -> pool.name().equals(name)).findFirst();
  }
}
