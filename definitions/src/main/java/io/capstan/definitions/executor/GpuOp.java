package io.capstan.definitions.executor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The GPU-native operations a GPU host can run. */
public enum GpuOp {
  @JsonProperty("inventory")
  INVENTORY,
  @JsonProperty("burn-in")
  BURN_IN,
  @JsonProperty("bandwidth")
  BANDWIDTH,
  @JsonProperty("gemm")
  GEMM
}
