package io.capstan.workflows.task;

/**
 * A task attempt that succeeded: its output, which attempt it was (1-based) and the host. An output
 * above the inline limit is in the output store: {@code output} is then null and {@code outputRef}
 * says where it is.
 */
public record TaskOutcome(String output, int attempt, String host, OutputRef outputRef) {
  public TaskOutcome(String output, int attempt, String host) {
    this(output, attempt, host, null);
  }
}
