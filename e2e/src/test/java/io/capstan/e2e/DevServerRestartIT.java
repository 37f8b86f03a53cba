package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ServerRestartScenario} on the dev server, which keeps its state in SQLite: it comes back
 * from the same file.
 */
@DisplayName("Temporal server restart, the dev server on its SQLite file")
class DevServerRestartIT extends ServerRestartScenario {
  @RegisterExtension static final RealStack stack = new RealStack();

  @Override
  TemporalStack<?> stack() {
    return stack;
  }

  @Override
  void assertDataKept() {
    assertThat(stack.temporal().db()).exists();
  }
}
