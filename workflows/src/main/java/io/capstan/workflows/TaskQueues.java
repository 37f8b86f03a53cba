package io.capstan.workflows;

import io.capstan.definitions.executor.ExecutorKind;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Capstan's task queues, one per capability, named here and nowhere else. Each worker role polls
 * its own queue, and every activity call names the queue of the capability it needs, so a
 * deployment scales a capability by starting more workers for that queue, and device work stays on
 * the host chosen for it.
 *
 * <ul>
 *   <li>{@link #CONTROL_PLANE}: pipeline and job workflows (deterministic code only);
 *   <li>{@link #TASKS}: the CPU executors ({@code simulate}, {@code shell});
 *   <li>{@link #INFRASTRUCTURE}: cloud and Kubernetes calls ({@code container} and, later, cluster
 *       operations);
 *   <li>{@link #gpu(String)}: one queue per GPU host, so device work lands on the host a lease
 *       chose.
 * </ul>
 *
 * <p>Every worker on one queue must serve the same activities with the same settings (Temporal's
 * rule for a queue); a host with other capabilities polls another queue.
 */
public final class TaskQueues {
  public static final String CONTROL_PLANE = "capstan-control-plane";
  public static final String TASKS = "capstan-tasks";
  public static final String INFRASTRUCTURE = "capstan-infrastructure";

  /**
   * The activities that talk to entity workflows through the Temporal client (a rollout taking its
   * pool from its cluster), polled by the control-plane role alone: the tasks role still polls
   * {@link #CONTROL_PLANE} for the activities of runs from before the queues were split, and would
   * take these and fail them as unknown.
   */
  public static final String ENTITY_CALLS = "capstan-entity-calls";

  /** The prefix of every GPU host's queue: {@code capstan-gpu@HOST}. */
  public static final String GPU_PREFIX = "capstan-gpu@";

  /** What a host name in a GPU queue may look like: a DNS name or an address, no spaces. */
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,252}");

  private TaskQueues() {}

  /** The queue of the GPU worker on {@code host}. */
  public static String gpu(String host) {
    if (host == null || !HOST.matcher(host).matches()) {
      throw new IllegalArgumentException(
          "a GPU host is a DNS name or an address (letters, digits, '.', '-', ':'), not '"
              + host
              + "'");
    }
    return GPU_PREFIX + host;
  }

  /**
   * The queue whose workers run {@code kind}; empty for GPU work, whose queue depends on the host a
   * device lease chose ({@link #gpu(String)}).
   */
  public static Optional<String> forExecutor(ExecutorKind kind) {
    return switch (kind) {
      case SIMULATE, SHELL -> Optional.of(TASKS);
      case CONTAINER -> Optional.of(INFRASTRUCTURE);
      case GPU -> Optional.empty();
    };
  }
}
