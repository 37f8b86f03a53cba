package io.capstan.definitions.rollout;

import java.time.Duration;
import java.time.Instant;

/**
 * When a rollout may start batches: windows of {@code duration} that open at each time {@code cron}
 * names in {@code timeZone} (a batch under way when a window closes finishes; the next waits for
 * the next window).
 *
 * @param cron five fields, read in {@code timeZone}, with a job schedule's syntax (names, lists,
 *     ranges, steps; when day-of-month and day-of-week are both restricted, either matches); no
 *     shorthands or {@code @every}
 * @param duration how long each window stays open, in elapsed time (a window across a DST change
 *     stays open this long, not until the same wall-clock time)
 * @param timeZone an IANA zone such as {@code Europe/Paris}; default UTC
 */
public record RolloutWindow(String cron, Duration duration, String timeZone) {
  public RolloutWindow {
    timeZone = timeZone == null ? "UTC" : timeZone;
  }

  /**
   * Whether {@code at} falls in a window; see {@link #nextOpen(Instant)}.
   *
   * @return true when some opening at or before {@code at} is less than {@code duration} before it
   */
  public boolean isOpen(Instant at) {
    return RolloutWindows.isOpen(this, at);
  }

  /**
   * {@code at} itself when a window is open then, else the instant the next window opens (DST-
   * correct: the cron is read in local time; a local time skipped by a DST gap opens at the first
   * instant after the gap, a repeated local time opens once, at its first occurrence).
   */
  public Instant nextOpen(Instant at) {
    return RolloutWindows.nextOpen(this, at);
  }
}
