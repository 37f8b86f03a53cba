package io.capstan.api.executors;

import io.capstan.definitions.executor.ExecutorKind;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which executors some live worker runs right now. The API refuses a definition that needs any
 * other, so a run never waits forever for a worker that does not exist.
 */
@FunctionalInterface
public interface ServedExecutors {
  /** The executor kinds served now. */
  Set<ExecutorKind> served();

  /**
   * Exactly {@code kinds}, whatever runs: for an API whose workers cannot be asked, such as tests
   * of routes that start no worker.
   */
  static ServedExecutors fixed(Set<ExecutorKind> kinds) {
    Set<ExecutorKind> copy =
        kinds.isEmpty() ? EnumSet.noneOf(ExecutorKind.class) : EnumSet.copyOf(kinds);
    Set<ExecutorKind> served = Set.copyOf(copy);
    return () -> served;
  }
}
