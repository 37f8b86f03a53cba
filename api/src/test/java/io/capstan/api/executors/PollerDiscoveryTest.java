package io.capstan.api.executors;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.ExecutorKind;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the discovery answers where Temporal cannot list pollers, and how long an answer is kept.
 * Against a real server (the dev server) it is tested in app's {@code WorkerRolesIT}.
 */
@DisplayName("Served executors from Temporal's pollers")
class PollerDiscoveryTest {
  private final TestWorkflowEnvironment server = TestWorkflowEnvironment.newInstance();

  @AfterEach
  void stop() {
    server.close();
  }

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private Instant now = Instant.parse("2026-12-07T00:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  @DisplayName(
      "a server that cannot describe task queues (the Java test server) answers with this"
          + " process's own roles, asked once per second at most")
  void testServerFallsBackToOwnRoles() {
    AtomicInteger asked = new AtomicInteger();
    Set<ExecutorKind> own = EnumSet.of(ExecutorKind.SIMULATE, ExecutorKind.SHELL);
    HandClock clock = new HandClock();
    PollerDiscovery discovery =
        new PollerDiscovery(
            server.getWorkflowServiceStubs(),
            "default",
            () -> {
              asked.incrementAndGet();
              return own;
            },
            clock);

    assertThat(discovery.served()).isEqualTo(own);
    assertThat(discovery.served()).isEqualTo(own);
    assertThat(asked).hasValue(1);

    clock.advance(PollerDiscovery.CACHE.plusMillis(1));
    assertThat(discovery.served()).isEqualTo(own);
    assertThat(asked).hasValue(2);
  }
}
