package io.capstan.workflows.cluster;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A cluster as its {@code status} query answers and its run returns: the phase, every pool with its
 * instances and nodes, the operation in progress and those waiting, the cost so far, alerts and the
 * latest events.
 *
 * @param operation the operation running now; null when none
 * @param queued operations waiting for it, in order
 * @param failure why creation failed, and what was removed; null unless Failed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterStatus(
    String namespace,
    String name,
    ClusterPhase phase,
    String provider,
    String region,
    Map<String, PoolStatus> pools,
    Operation operation,
    List<String> queued,
    Autoscaling autoscaling,
    Cost cost,
    List<ClusterEvent> alerts,
    List<ClusterEvent> events,
    String failure) {
  public static final String QUERY = "status";

  /**
   * @param ready nodes Ready in Kubernetes
   * @param launchTemplateVersion the version the pool's group launches
   */
  public record PoolStatus(
      String instanceType,
      boolean spot,
      int gpusPerNode,
      int min,
      int desired,
      int max,
      int ready,
      String launchTemplateVersion,
      List<NodeStatus> nodes) {}

  /**
   * @param name the Kubernetes node; null while the instance has none
   * @param version the launch template version the instance came from
   */
  public record NodeStatus(
      String name, String instanceId, String zone, boolean ready, String version) {}

  /** An operation and since when it runs, with its current step. */
  public record Operation(String name, String since, String step) {}

  public record Autoscaling(
      boolean enabled,
      Integer minNodes,
      Integer maxNodes,
      int targetCpuUtilization,
      int targetGpuUtilization,
      String scaleDownDelay,
      String scaleUpsHeld,
      ClusterEvent lastDecision) {}

  /**
   * In US dollars.
   *
   * @param hourly the rate of what runs now
   * @param projectedMonthly the month so far plus the hourly rate until the month ends
   */
  public record Cost(
      double total,
      double hourly,
      String month,
      double monthToDate,
      double projectedMonthly,
      Double monthlyLimit,
      Map<String, PoolCost> pools) {}

  public record PoolCost(double dollars, double instanceHours, double gpuSeconds) {}
}
