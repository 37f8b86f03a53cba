package io.capstan.workflows.task;

import io.capstan.definitions.executor.SimulateSpec;

/**
 * One attempt of a simulated task. The worker renders the spec's templates with {@code inputs};
 * {@code inputs} is null in attempts scheduled with their templates already rendered.
 */
public record SimulateRequest(TaskContext context, SimulateSpec spec, TaskInputs inputs) {
  public SimulateRequest(TaskContext context, SimulateSpec spec) {
    this(context, spec, null);
  }
}
