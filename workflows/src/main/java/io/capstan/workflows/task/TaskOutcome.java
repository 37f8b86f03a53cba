package io.capstan.workflows.task;

/** A task attempt that succeeded: its output, which attempt it was (1-based) and the host. */
public record TaskOutcome(String output, int attempt, String host) {}
