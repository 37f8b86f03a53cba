package io.capstan.workflows.task;

import io.capstan.definitions.executor.SimulateSpec;

/** One attempt of a simulated task, with its templates already rendered. */
public record SimulateRequest(TaskContext context, SimulateSpec spec) {}
