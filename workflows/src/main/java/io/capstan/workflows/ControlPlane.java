package io.capstan.workflows;

/** The control plane's task queue: pipeline and job workflows and their CPU-side activities. */
public final class ControlPlane {
  public static final String TASK_QUEUE = "capstan-control-plane";

  private ControlPlane() {}
}
