package io.capstan.api.runs;

import java.util.Optional;
import java.util.Set;

/**
 * Which runs a listing shows; an empty part matches everything.
 *
 * @param namespace the Capstan namespace (tenant), not Temporal's
 * @param schedule the id of the schedule that started the runs
 * @param scope the namespaces the caller may see, or empty when it may see all; unlike {@code
 *     namespace}, which a caller chooses, this is imposed on it
 */
public record RunFilter(
    Optional<RunKind> kind,
    Optional<RunStatus> status,
    Optional<String> namespace,
    Optional<String> schedule,
    Optional<Set<String>> scope) {
  public static final RunFilter ALL =
      new RunFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public RunFilter {
    scope = scope == null ? Optional.empty() : scope.map(Set::copyOf);
  }

  public RunFilter(
      Optional<RunKind> kind,
      Optional<RunStatus> status,
      Optional<String> namespace,
      Optional<String> schedule) {
    this(kind, status, namespace, schedule, Optional.empty());
  }

  public RunFilter(Optional<RunKind> kind, Optional<RunStatus> status, Optional<String> namespace) {
    this(kind, status, namespace, Optional.empty());
  }

  /** This filter, limited to the runs of {@code namespaces}. */
  public RunFilter within(Set<String> namespaces) {
    return new RunFilter(kind, status, namespace, schedule, Optional.of(namespaces));
  }

  /** Whether the scope leaves nothing to list. */
  boolean excludesEverything() {
    return scope.map(Set::isEmpty).orElse(false);
  }

  /** Whether a run matches by who it is; the schedule that started it is not part of that. */
  boolean matches(RunRef ref) {
    return kind.map(k -> k == ref.kind()).orElse(true)
        && namespace.map(ns -> ns.equals(ref.namespace())).orElse(true)
        && scope
            .map(allowed -> ref.namespace() != null && allowed.contains(ref.namespace()))
            .orElse(true);
  }

  boolean matches(RunStatus runStatus) {
    return status.map(s -> s == runStatus).orElse(true);
  }
}
