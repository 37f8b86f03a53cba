package io.capstan.definitions;

import java.util.Map;

/**
 * The identity of a definition: its DNS-label name, the tenant namespace it belongs to (default
 * {@code default}) and free-form labels.
 */
public record Metadata(String name, String namespace, Map<String, String> labels) {
  public static final String DEFAULT_NAMESPACE = "default";

  public Metadata {
    namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }
}
