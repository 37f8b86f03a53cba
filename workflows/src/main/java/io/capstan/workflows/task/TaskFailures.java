package io.capstan.workflows.task;

/**
 * The stable {@code ApplicationFailure} types task activities fail with. Every task failure carries
 * two details: the attempt number (int) and the host (String).
 */
public final class TaskFailures {
  /**
   * A simulated task failed on purpose ({@code failAttempts} or {@code failureRate}); retryable.
   */
  public static final String SIMULATED = "SimulatedFailure";

  /** A shell process exited non-zero; retryable. The message has the exit code and stderr tail. */
  public static final String SHELL_EXIT = "ShellExitCode";

  /** A shell process could not be started (no such command, bad working dir); not retryable. */
  public static final String SHELL_START = "ShellStartFailed";

  /** This worker was not started with shell enabled; not retryable. */
  public static final String SHELL_DISABLED = "ShellDisabled";

  /**
   * The shell policy of this worker does not allow the command (argv[0]) in the run's namespace;
   * not retryable. The message names the command, the namespace and what is allowed there.
   */
  public static final String SHELL_NOT_ALLOWED = "ShellNotAllowed";

  /**
   * A {@code secretRef} names a secret the worker does not have; not retryable. The message names
   * the secret and where the worker looks for it, never a value.
   */
  public static final String SECRET_NOT_FOUND = "SecretNotFound";

  /** The request itself is unusable; not retryable. */
  public static final String INVALID = "InvalidTask";

  /**
   * An output is over the limit the output store takes (100 MiB), or a stored output is too large
   * to substitute into a command line; not retryable. The message says what to do instead.
   */
  public static final String OUTPUT_TOO_LARGE = "OutputTooLarge";

  /**
   * A stored output cannot be read back, or its bytes do not match the digest history recorded; not
   * retryable (a missing or altered object does not come back by retrying).
   */
  public static final String OUTPUT_UNAVAILABLE = "OutputUnavailable";

  /** The output store failed to store or serve an output (I/O, network); retryable. */
  public static final String OUTPUT_STORE = "OutputStoreFailed";

  /**
   * The values a task's templates name are too large to send with its attempt (Temporal's payload
   * limit); not retryable, and the task never reached a worker.
   */
  public static final String INPUTS_TOO_LARGE = "TaskInputsTooLarge";

  /**
   * A container exited non-zero (its pod failed); retryable. The message has the exit code, the
   * reason Kubernetes gave and the end of the pod's log.
   */
  public static final String CONTAINER_EXIT = "ContainerExitCode";

  /**
   * The container's image cannot be pulled (ErrImagePull, ImagePullBackOff, InvalidImageName); not
   * retryable. The message names the image and the registry's answer.
   */
  public static final String IMAGE_PULL = "ImagePullFailed";

  /**
   * The pod found no node for longer than the worker waits (its scheduler's message says why: a
   * node selector no node matches, a taint, too few GPUs); not retryable.
   */
  public static final String UNSCHEDULABLE = "PodUnschedulable";

  /**
   * Kubernetes cannot start the container as configured (a missing Secret or key, a bad quantity);
   * not retryable.
   */
  public static final String CONTAINER_CONFIG = "ContainerConfigError";

  /**
   * The Kubernetes API refused a request for good (403 outside the worker's Role, 422 invalid); not
   * retryable. The message names the verb, the resource and the API server's reason.
   */
  public static final String KUBERNETES_REFUSED = "KubernetesRefused";

  /**
   * The Kubernetes API could not be reached or answered 429/5xx; retryable under the task's policy
   * (the client's own retries are off, so Temporal sees every failure).
   */
  public static final String KUBERNETES_UNAVAILABLE = "KubernetesUnavailable";

  private TaskFailures() {}
}
