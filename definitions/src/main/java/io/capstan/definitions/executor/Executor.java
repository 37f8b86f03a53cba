package io.capstan.definitions.executor;

/**
 * Anything that carries exactly one executor block: a pipeline task or a job. The validator
 * guarantees that exactly one of the four blocks is present.
 */
public interface Executor {
  SimulateSpec simulate();

  ShellSpec shell();

  ContainerSpec container();

  GpuSpec gpu();

  /** The kind of the one executor block present. */
  default ExecutorKind executorKind() {
    if (simulate() != null) {
      return ExecutorKind.SIMULATE;
    }
    if (shell() != null) {
      return ExecutorKind.SHELL;
    }
    if (container() != null) {
      return ExecutorKind.CONTAINER;
    }
    if (gpu() != null) {
      return ExecutorKind.GPU;
    }
    throw new IllegalStateException("no executor block; definitions must be validated first");
  }
}
