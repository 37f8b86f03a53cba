package io.capstan.e2e;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls until assertions pass: runs start, finish and show up in visibility a moment later. */
final class Eventually {
  private static final Duration POLL = Duration.ofMillis(250);

  private Eventually() {}

  /** An assertion block that may throw anything while the state is not there yet. */
  interface Check {
    void run() throws Exception;
  }

  /** Runs {@code check} until it passes; past {@code timeout} its last failure fails the test. */
  static void within(Duration timeout, Check check) {
    get(
        timeout,
        () -> {
          check.run();
          return null;
        });
  }

  /** Calls {@code probe} until it returns without throwing, and returns what it returned. */
  static <T> T get(Duration timeout, Callable<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        return probe.call();
      } catch (Exception | AssertionError e) {
        if (System.nanoTime() > deadline) {
          AssertionError failure =
              new AssertionError("still failing after " + timeout.toSeconds() + " s: " + e, e);
          throw failure;
        }
      }
      sleep(POLL);
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
