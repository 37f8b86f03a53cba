package io.capstan.definitions;

import io.capstan.definitions.rollout.RollingUpdateSpec;

/** A {@code kind: RollingUpdate} document: one node pool of a cluster rolled to a new version. */
public record RollingUpdateDefinition(
    String apiVersion, String kind, Metadata metadata, RollingUpdateSpec spec)
    implements Definition {
  public static final String KIND = "RollingUpdate";
}
