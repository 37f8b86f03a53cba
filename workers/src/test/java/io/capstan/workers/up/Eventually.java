package io.capstan.workers.up;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Polls what a test reads until it is as expected, for the dev-server tests: Temporal's visibility
 * store and schedules settle a moment after the call that changed them.
 */
final class Eventually {
  /** How long the dev server gets to show a change. */
  static final Duration PATIENCE = Duration.ofSeconds(30);

  private static final Duration STEP = Duration.ofMillis(100);

  private Eventually() {}

  /**
   * Reads until {@code done} holds and returns that reading; past {@link #PATIENCE} fails with
   * {@code what} and the last reading.
   */
  static <T> T await(String what, Supplier<T> read, Predicate<T> done) {
    Instant deadline = Instant.now().plus(PATIENCE);
    T last = read.get();
    while (!done.test(last)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("waited " + PATIENCE + " for " + what + "; last saw " + last);
      }
      try {
        Thread.sleep(STEP.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      last = read.get();
    }
    return last;
  }
}
