package io.capstan.api;

import io.capstan.definitions.executor.ExecutorKind;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import java.util.Set;

/**
 * What the API needs from the process that hosts it.
 *
 * @param client the Temporal client runs are started, described, queried and signalled through
 * @param temporal where that client points, as {@code GET /api/v1/info} reports it
 * @param metrics the registry {@code GET /metrics} scrapes; the host registers the Temporal SDK's
 *     metrics in it too
 * @param servedExecutors the executor kinds some worker serves; a definition using any other is
 *     refused at submit
 */
public record ApiDependencies(
    WorkflowClient client,
    TemporalInfo temporal,
    PrometheusMeterRegistry metrics,
    Set<ExecutorKind> servedExecutors) {
  public ApiDependencies {
    servedExecutors = servedExecutors == null ? Set.of() : Set.copyOf(servedExecutors);
  }
}
