package io.capstan.definitions.executor;

/** Resource requests of a container: CPU cores, memory quantity (e.g. 4Gi) and GPUs. */
public record Resources(String cpu, String memory, Integer gpu) {}
