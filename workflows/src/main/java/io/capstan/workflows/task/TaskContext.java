package io.capstan.workflows.task;

import io.capstan.definitions.Metadata;
import io.capstan.definitions.pipeline.RetrySpec;

/**
 * Who is asking for a task attempt: the run (workflow id), the task's name, the retry policy in
 * force, which the activity uses to ask Temporal for the next retry delay where the backoff is not
 * exponential, and the run's namespace (the tenant, {@code metadata.namespace}), which a worker's
 * shell policy is keyed by.
 *
 * @param namespace {@code default} when the definition names none, and when an attempt was
 *     scheduled before contexts carried it
 */
public record TaskContext(String runId, String task, RetrySpec retry, String namespace) {
  public TaskContext {
    namespace = namespace == null || namespace.isBlank() ? Metadata.DEFAULT_NAMESPACE : namespace;
  }
}
