package io.capstan.workflows.task;

import io.capstan.definitions.executor.ShellSpec;

/** One attempt of a shell task, with its templates already rendered. */
public record ShellRequest(TaskContext context, ShellSpec spec) {}
