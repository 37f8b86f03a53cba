package io.capstan.e2e;

import java.time.Duration;

/**
 * Lets real time pass on purpose: a fault trial kills or restarts a process some time into a run.
 * Waiting for a state is {@code Eventually}, and "nothing happened" is read from the workflow's
 * history; neither is this.
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
