package io.capstan.definitions.cluster;

/**
 * The GPUs of a pool's nodes.
 *
 * @param perNode GPUs on each node, 1 to 16
 * @param validate the check each new node passes before it counts as ready; a burn-in by default
 */
public record PoolGpuSpec(int perNode, GpuValidation validate) {
  public PoolGpuSpec {
    validate = validate == null ? GpuValidation.DEFAULT : validate;
  }
}
