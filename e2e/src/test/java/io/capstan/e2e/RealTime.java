package io.capstan.e2e;

import java.time.Duration;

/**
 * Lets real time pass on purpose: a fault trial kills or restarts a process some time into a run,
 * and a server's poll loop waits between looks. Waiting for a state is {@code Eventually}, never
 * this.
 */
final class RealTime {
  private RealTime() {}

  static void pass(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
