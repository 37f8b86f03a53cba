package io.capstan.e2e;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link IdempotentResubmissionScenario} on the dev server. */
@DisplayName("idempotent resubmission after the API was killed, on the dev server")
class IdempotentResubmissionIT extends IdempotentResubmissionScenario {
  @RegisterExtension static final RealStack stack = new RealStack();

  @Override
  TemporalStack<?> stack() {
    return stack;
  }
}
