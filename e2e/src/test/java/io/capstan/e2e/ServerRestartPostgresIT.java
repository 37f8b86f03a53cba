package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ServerRestartScenario} on Temporal Server with PostgreSQL, as in production: only
 * temporal-server restarts, and PostgreSQL keeps the run meanwhile.
 */
@DisplayName("Temporal server restart, Temporal Server on PostgreSQL")
class ServerRestartPostgresIT extends ServerRestartScenario {
  @RegisterExtension
  static final TemporalStack<PostgresTemporalFixture> stack = TemporalStack.onPostgres();

  @Override
  TemporalStack<?> stack() {
    return stack;
  }

  @Override
  void assertDataKept() {
    assertThat(stack.temporal().postgresRunning()).as("PostgreSQL runs on").isTrue();
  }
}
