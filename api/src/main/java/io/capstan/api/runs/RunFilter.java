package io.capstan.api.runs;

import java.util.Optional;

/**
 * Which runs a listing shows; an empty part matches everything.
 *
 * @param namespace the Capstan namespace (tenant), not Temporal's
 * @param schedule the id of the schedule that started the runs
 */
public record RunFilter(
    Optional<RunKind> kind,
    Optional<RunStatus> status,
    Optional<String> namespace,
    Optional<String> schedule) {
  public static final RunFilter ALL =
      new RunFilter(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

  public RunFilter(Optional<RunKind> kind, Optional<RunStatus> status, Optional<String> namespace) {
    this(kind, status, namespace, Optional.empty());
  }

  /** Whether a run matches by who it is; the schedule that started it is not part of that. */
  boolean matches(RunRef ref) {
    return kind.map(k -> k == ref.kind()).orElse(true)
        && namespace.map(ns -> ns.equals(ref.namespace())).orElse(true);
  }

  boolean matches(RunStatus runStatus) {
    return status.map(s -> s == runStatus).orElse(true);
  }
}
