package io.capstan.testkit;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Waits, with Awaitility, for something outside the test to reach a state: runs start, finish and
 * show up in Temporal's visibility store a moment after the call that changed them. A timeout fails
 * the test with what was awaited and the last thing seen.
 */
public final class Eventually {
  /** How long a server gets to show a change unless a test says otherwise. */
  public static final Duration PATIENCE = Duration.ofSeconds(30);

  private static final Duration POLL = Duration.ofMillis(100);

  private Eventually() {}

  /** An assertion block that may throw anything while the state is not there yet. */
  public interface Check {
    void run() throws Exception;
  }

  /**
   * Reads until {@code done} holds and returns that reading; past {@link #PATIENCE} fails with
   * {@code what} and the last reading.
   */
  public static <T> T await(String what, Supplier<T> read, Predicate<T> done) {
    return await(what, PATIENCE, read, done);
  }

  /** As {@link #await(String, Supplier, Predicate)}, with a patience of {@code timeout}. */
  public static <T> T await(String what, Duration timeout, Supplier<T> read, Predicate<T> done) {
    AtomicReference<T> last = new AtomicReference<>();
    try {
      return Awaitility.await(what)
          .atMost(timeout)
          .pollInterval(POLL)
          .until(
              () -> {
                T reading = read.get();
                last.set(reading);
                return reading;
              },
              done);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("waited " + timeout + " for " + what + "; last saw " + last.get());
    }
  }

  /** Runs {@code check} until it passes; past {@code timeout} its last failure fails the test. */
  public static void within(Duration timeout, Check check) {
    get(
        timeout,
        () -> {
          check.run();
          return null;
        });
  }

  /** Calls {@code probe} until it returns without throwing, and returns what it returned. */
  public static <T> T get(Duration timeout, Callable<T> probe) {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> lastFailure = new AtomicReference<>();
    try {
      Awaitility.await()
          .atMost(timeout)
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(250))
          .until(
              () -> {
                try {
                  result.set(probe.call());
                  return true;
                } catch (Exception | AssertionError e) {
                  lastFailure.set(e);
                  return false;
                }
              });
      return result.get();
    } catch (ConditionTimeoutException e) {
      Throwable last = lastFailure.get();
      throw new AssertionError(
          "still failing after " + timeout.toSeconds() + " s: " + last, last == null ? e : last);
    }
  }
}
