package io.capstan.workflows.task;

import io.capstan.definitions.executor.ContainerSpec;

/**
 * One attempt of a {@code container} task. The worker renders the spec's templates with {@code
 * inputs} just before it creates the Job; {@code inputs} is null when the spec came rendered.
 */
public record ContainerRequest(TaskContext context, ContainerSpec spec, TaskInputs inputs) {}
