package io.capstan.api.runs;

import java.util.Optional;

/**
 * Which runs a listing shows; an empty part matches everything.
 *
 * @param namespace the Capstan namespace (tenant), not Temporal's
 */
public record RunFilter(
    Optional<RunKind> kind, Optional<RunStatus> status, Optional<String> namespace) {
  public static final RunFilter ALL =
      new RunFilter(Optional.empty(), Optional.empty(), Optional.empty());

  boolean matches(RunRef ref) {
    return kind.map(k -> k == ref.kind()).orElse(true)
        && namespace.map(ns -> ns.equals(ref.namespace())).orElse(true);
  }

  boolean matches(RunStatus runStatus) {
    return status.map(s -> s == runStatus).orElse(true);
  }
}
