package io.capstan.e2e;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WorkerKillScenario} on Temporal Server with PostgreSQL, as in production. */
@DisplayName("kill -9 of the worker, on Temporal Server with PostgreSQL")
class WorkerKillPostgresIT extends WorkerKillScenario {
  @RegisterExtension
  static final TemporalStack<PostgresTemporalFixture> stack = TemporalStack.onPostgres();

  @Override
  TemporalStack<?> stack() {
    return stack;
  }
}
