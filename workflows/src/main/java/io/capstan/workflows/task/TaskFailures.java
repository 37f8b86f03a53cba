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

  /** The request itself is unusable; not retryable. */
  public static final String INVALID = "InvalidTask";

  private TaskFailures() {}
}
