package io.capstan.definitions.cluster;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node pool: an Auto Scaling group of {@code instanceType} instances started from {@code
 * launchTemplate}, between {@code minSize} and {@code maxSize} of them ({@code desiredSize} at
 * first, {@code minSize} unless said), whose Kubernetes nodes carry {@code labels} and {@code
 * taints}.
 *
 * @param name a DNS label of at most 40 characters, unique in the cluster
 * @param instanceType an EC2 instance type such as {@code m5.large}
 * @param launchTemplate required with provider aws; may be null with provider simulated
 * @param desiredSize never null once constructed: {@code minSize} when not written
 * @param labels in the order written; never null
 * @param taints never null
 * @param spot null for on-demand instances
 * @param gpu null for a pool without GPUs
 * @param zones the availability zones to launch in; empty for all of the subnets' zones
 * @param simulate failure injection with provider simulated; null otherwise
 */
// isGpu() and isSpot() are questions, not properties: serialised, gpu and spot are the blocks.
@JsonAutoDetect(isGetterVisibility = Visibility.NONE)
public record NodePoolSpec(
    String name,
    String instanceType,
    LaunchTemplateRef launchTemplate,
    int minSize,
    Integer desiredSize,
    int maxSize,
    Map<String, String> labels,
    List<Taint> taints,
    SpotSpec spot,
    PoolGpuSpec gpu,
    List<String> zones,
    PoolSimulation simulate) {
  public NodePoolSpec {
    desiredSize = desiredSize == null ? minSize : desiredSize;
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    taints = taints == null ? List.of() : List.copyOf(taints);
    zones = zones == null ? List.of() : List.copyOf(zones);
  }

  /** Whether the pool's nodes have GPUs, and so are validated on GPU hosts before use. */
  public boolean isGpu() {
    return gpu != null;
  }

  /** Whether the pool runs on Spot capacity. */
  public boolean isSpot() {
    return spot != null;
  }
}
