package io.capstan.e2e;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link WorkerKillScenario} on the dev server. */
@DisplayName("kill -9 of the worker, on the dev server")
class WorkerKillIT extends WorkerKillScenario {
  @RegisterExtension static final RealStack stack = new RealStack();

  @Override
  TemporalStack<?> stack() {
    return stack;
  }
}
