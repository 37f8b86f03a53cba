package io.capstan.definitions.rollout;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;

/**
 * Window arithmetic for {@link RolloutWindow}: the instants its cron names in its time zone, found
 * day by day (only the days the cron names are looked at, and on those only its times of day), so a
 * window a year away costs a few hundred date checks, not half a million minutes.
 *
 * <p>A local time is turned into an instant as the window's javadoc promises: one inside a
 * spring-forward gap opens at the instant the gap ends, one repeated by a fall-back opens once, at
 * its earlier offset. That turning is monotonic (a later local time never opens earlier), so the
 * first local date-time found after an instant is the first opening after it.
 */
final class RolloutWindows {
  /**
   * How far ahead an opening is looked for: 8 years reach a February 29 from any date (2096 to 2104
   * has no leap day between), so only a cron that never matches finds nothing.
   */
  static final Period HORIZON = Period.ofYears(8);

  private RolloutWindows() {}

  static boolean isOpen(RolloutWindow window, Instant at) {
    Duration duration = duration(window);
    return !firstOpeningAfter(window, at.minus(duration)).isAfter(at);
  }

  static Instant nextOpen(RolloutWindow window, Instant at) {
    return isOpen(window, at) ? at : firstOpeningAfter(window, at);
  }

  /**
   * The first opening strictly after {@code after}.
   *
   * @throws IllegalArgumentException naming the cron when it opens nothing within {@link #HORIZON}
   */
  private static Instant firstOpeningAfter(RolloutWindow window, Instant after) {
    CronCalendar cron = CronCalendar.parse(window.cron());
    ZoneId zone = zone(window);
    // An opening on an earlier local date than after's is at or before after (turning local times
    // into instants is monotonic, and after's own local time turns into after or earlier).
    LocalDate from = LocalDateTime.ofInstant(after, zone).toLocalDate();
    LocalDate until = from.plus(HORIZON);
    for (LocalDate date = cron.nextDate(from, until);
        date != null;
        date = cron.nextDate(date.plusDays(1), until)) {
      for (LocalTime time : cron.times()) {
        Instant opening = instant(date.atTime(time), zone);
        if (opening.isAfter(after)) {
          return opening;
        }
      }
    }
    throw new IllegalArgumentException(
        "cron '"
            + window.cron()
            + "' opens no window in the "
            + HORIZON.getYears()
            + " years after "
            + after
            + ": it names no date that exists");
  }

  /**
   * The instant {@code local} names in {@code zone}: the end of the gap for a local time that a
   * spring-forward skips, the earlier offset for one that a fall-back repeats.
   */
  static Instant instant(LocalDateTime local, ZoneId zone) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(local);
    if (transition != null && transition.isGap()) {
      return transition.getInstant();
    }
    return ZonedDateTime.ofLocal(local, zone, null).toInstant();
  }

  private static Duration duration(RolloutWindow window) {
    Duration duration = window.duration();
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "a window lasts a positive duration, not "
              + duration
              + " (cron '"
              + window.cron()
              + "')");
    }
    return duration;
  }

  private static ZoneId zone(RolloutWindow window) {
    try {
      return ZoneId.of(window.timeZone());
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'" + window.timeZone() + "' is not a time zone: use an IANA id such as Europe/Paris", e);
    }
  }
}
