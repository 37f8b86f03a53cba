package io.capstan.activities.kube;

/**
 * The pod annotations through which a {@code container} task's {@code simulate} block reaches the
 * kwok stages of the local cluster (the project's {@code kwok-stages.yaml}): how long the pod runs,
 * its exit code, its termination message, and an image pull failure. kubelets ignore them, so the
 * same Job runs its image unchanged on a real cluster.
 */
public final class SimulatedPods {
  /** How long the pod runs, as a Go duration ({@code 1500ms}). */
  public static final String DURATION = "capstan.io/simulate-duration";

  /** The container's exit code, {@code 0}-{@code 255}. */
  public static final String EXIT_CODE = "capstan.io/simulate-exit-code";

  /** The termination message a successful container leaves. */
  public static final String OUTPUT = "capstan.io/simulate-output";

  /** Present: the image pull fails with this message. */
  public static final String IMAGE_PULL_ERROR = "capstan.io/simulate-image-pull-error";

  /** The label of the nodes kwok manages on the local cluster. */
  public static final String NODE_LABEL = "capstan.io/simulated";

  /** Present on a node: it never turns Ready (failure injection). */
  public static final String NEVER_READY = "capstan.io/simulate-never-ready";

  private SimulatedPods() {}
}
