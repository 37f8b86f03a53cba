package io.capstan.definitions.cluster;

/**
 * A taint every node of a pool carries, as in a Kubernetes node spec.
 *
 * @param key a qualified name such as {@code dedicated} or {@code nvidia.com/gpu}
 * @param value a label value; may be null
 * @param effect what the taint does to pods that do not tolerate it
 */
public record Taint(String key, String value, TaintEffect effect) {}
