package io.capstan.e2e;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IdempotentResubmissionScenario} on Temporal Server with PostgreSQL, as in production. */
@DisplayName("idempotent resubmission after the API was killed, on Temporal Server with PostgreSQL")
class IdempotentResubmissionPostgresIT extends IdempotentResubmissionScenario {
  @RegisterExtension
  static final TemporalStack<PostgresTemporalFixture> stack = TemporalStack.onPostgres();

  @Override
  TemporalStack<?> stack() {
    return stack;
  }
}
