package io.capstan.workflows.task;

import io.capstan.definitions.executor.ShellSpec;

/**
 * One attempt of a shell task. The worker renders the spec's templates with {@code inputs} just
 * before the process starts; {@code inputs} is null in attempts scheduled with their templates
 * already rendered.
 */
public record ShellRequest(TaskContext context, ShellSpec spec, TaskInputs inputs) {
  public ShellRequest(TaskContext context, ShellSpec spec) {
    this(context, spec, null);
  }
}
