package io.capstan.definitions.executor;

/** A Kubernetes toleration, as in a pod spec. */
public record Toleration(String key, String operator, String value, String effect) {}
