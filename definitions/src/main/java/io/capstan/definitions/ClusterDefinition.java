package io.capstan.definitions;

import io.capstan.definitions.cluster.ClusterSpec;

/** A {@code kind: Cluster} document. */
public record ClusterDefinition(String apiVersion, String kind, Metadata metadata, ClusterSpec spec)
    implements Definition {
  public static final String KIND = "Cluster";
}
