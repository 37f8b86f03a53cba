package io.capstan.workflows.task;

import io.capstan.definitions.pipeline.RetrySpec;

/**
 * Who is asking for a task attempt: the run (workflow id), the task's name, and the retry policy in
 * force, which the activity uses to ask Temporal for the next retry delay where the backoff is not
 * exponential.
 */
public record TaskContext(String runId, String task, RetrySpec retry) {}
