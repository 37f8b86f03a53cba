package io.capstan.definitions.executor;

/** Which executor block a task or job carries; exactly one is allowed. */
public enum ExecutorKind {
  SIMULATE,
  SHELL,
  CONTAINER,
  GPU
}
