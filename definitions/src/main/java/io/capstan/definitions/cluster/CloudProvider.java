package io.capstan.definitions.cluster;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Where a cluster's nodes come from: {@code aws} launches them through EC2 Auto Scaling groups;
 * {@code simulated} pretends to, with the delays and failures each pool's {@code simulate} block
 * asks for, so demos and tests need no cloud account.
 */
public enum CloudProvider {
  @JsonProperty("aws")
  AWS,
  @JsonProperty("simulated")
  SIMULATED
}
