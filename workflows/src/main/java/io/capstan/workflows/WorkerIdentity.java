package io.capstan.workflows;

import io.capstan.definitions.executor.ExecutorKind;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How a worker tells the cluster what it can run: its Temporal identity ends in {@code
 * executors=simulate,shell}. Temporal lists the identities of a queue's recent pollers ({@code
 * DescribeTaskQueue}, and {@code temporal task-queue describe} for a person), so the API learns
 * from the live workers which executors are served, with no registry of its own to go stale.
 *
 * @param role the worker role, e.g. {@code tasks}
 * @param host the host the worker runs on
 * @param process the process id, to tell two workers on one host apart
 * @param executors the executors this worker runs
 */
public record WorkerIdentity(String role, String host, long process, Set<ExecutorKind> executors) {
  private static final Pattern EXECUTORS = Pattern.compile("\\bexecutors=([a-z,]*)");

  public WorkerIdentity {
    executors = executors.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(executors));
  }

  /** {@code capstan-tasks@host:pid executors=simulate,shell}, executors in a stable order. */
  @Override
  public String toString() {
    String names =
        EnumSet.copyOf(executors.isEmpty() ? EnumSet.noneOf(ExecutorKind.class) : executors)
            .stream()
            .map(kind -> kind.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(","));
    return "capstan-" + role + "@" + host + ":" + process + " executors=" + names;
  }

  /** The executors a poller's identity advertises; none when it is not a Capstan worker's. */
  public static Set<ExecutorKind> executorsOf(String identity) {
    Matcher matcher = EXECUTORS.matcher(identity == null ? "" : identity);
    if (!matcher.find()) {
      return Set.of();
    }
    Set<ExecutorKind> kinds = EnumSet.noneOf(ExecutorKind.class);
    for (String name : matcher.group(1).split(",")) {
      for (ExecutorKind kind : ExecutorKind.values()) {
        if (kind.name().equalsIgnoreCase(name)) {
          kinds.add(kind);
        }
      }
    }
    return kinds;
  }
}
