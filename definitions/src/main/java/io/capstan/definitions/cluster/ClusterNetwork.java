package io.capstan.definitions.cluster;

import java.util.List;

/**
 * The network the cluster's nodes join: the subnets their Auto Scaling groups launch into ({@code
 * subnet-} ids) and the security groups they carry ({@code sg-} ids). Both lists are never null.
 */
public record ClusterNetwork(List<String> subnets, List<String> securityGroups) {
  /** No subnets and no security groups: the provider's defaults. */
  public static final ClusterNetwork EMPTY = new ClusterNetwork(null, null);

  public ClusterNetwork {
    subnets = subnets == null ? List.of() : List.copyOf(subnets);
    securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
  }
}
