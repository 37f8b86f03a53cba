package io.capstan.definitions.rollout;

import io.capstan.definitions.job.Cron;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The local dates and times a five-field cron expression ({@code minute hour day-of-month month
 * day-of-week}) names, read with the syntax {@link Cron} accepts for a job's schedule: each field
 * is {@code *}, a number or a name, a range {@code a-b}, a step {@code /n} after either, or a list
 * of those. A month is named by three letters of its name or more ({@code JAN}), a day of the week
 * by two or more ({@code MON}); 0 and 7 are both Sunday; {@code a/n} runs from {@code a} to the end
 * of the field. As crontab(5) has it, when day-of-month and day-of-week are both restricted
 * (neither starts with {@code *}) a date matches when either does, otherwise when both do.
 * Shorthands and {@code @every} name no calendar times, so they are refused here.
 */
final class CronCalendar {
  /** What a refusal suggests instead. */
  static final String HINT =
      "write five fields (minute hour day-of-month month day-of-week) such as \"0 22 * * MON-FRI\"";

  private static final List<String> MONTHS =
      List.of(
          "january",
          "february",
          "march",
          "april",
          "may",
          "june",
          "july",
          "august",
          "september",
          "october",
          "november",
          "december");

  private static final List<String> DAYS =
      List.of("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday");

  /**
   * One field: its range, where {@code *} and {@code a/n} end ({@code 6} for the day of the week,
   * whose 7 is Sunday again), its names (the first meaning {@code firstName}) and how many leading
   * letters of a name are enough, as {@link Cron} reads them.
   */
  private record Field(
      int min, int max, int openEnd, List<String> names, int shortestName, int firstName) {}

  private static final Field MINUTE = new Field(0, 59, 59, List.of(), 0, 0);
  private static final Field HOUR = new Field(0, 23, 23, List.of(), 0, 0);
  private static final Field DAY_OF_MONTH = new Field(1, 31, 31, List.of(), 0, 0);
  private static final Field MONTH = new Field(1, 12, 12, MONTHS, 3, 1);
  private static final Field DAY_OF_WEEK = new Field(0, 7, 6, DAYS, 2, 0);

  /**
   * The first date of a span that holds every combination of a day of the month, a month, a day of
   * the week and a leap year (the Gregorian calendar repeats every 28 years between 1901 and 2099),
   * so a cron that matches no date in it matches none ever.
   */
  private static final LocalDate CYCLE_START = LocalDate.of(2000, 1, 1);

  private static final LocalDate CYCLE_END = CYCLE_START.plusYears(28);

  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean eitherDay;
  private final List<LocalTime> times;

  private CronCalendar(String[] fields) {
    minutes = values(MINUTE, fields[0]);
    hours = values(HOUR, fields[1]);
    daysOfMonth = values(DAY_OF_MONTH, fields[2]);
    months = values(MONTH, fields[3]);
    BitSet weekdays = values(DAY_OF_WEEK, fields[4]);
    if (weekdays.get(7)) {
      weekdays.set(0);
    }
    daysOfWeek = weekdays;
    eitherDay = !fields[2].startsWith("*") && !fields[4].startsWith("*");
    List<LocalTime> all = new ArrayList<>();
    for (int h = hours.nextSetBit(0); h >= 0; h = hours.nextSetBit(h + 1)) {
      for (int m = minutes.nextSetBit(0); m >= 0; m = minutes.nextSetBit(m + 1)) {
        all.add(LocalTime.of(h, m));
      }
    }
    times = List.copyOf(all);
  }

  /**
   * The calendar {@code expression} names.
   *
   * @throws IllegalArgumentException with {@link #problem}'s words when it names none
   */
  static CronCalendar parse(String expression) {
    problem(expression)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(why);
            });
    return read(expression);
  }

  /**
   * What keeps {@code expression} from naming calendar times, in words a person can act on: not
   * five fields {@link Cron} accepts, or no date that exists (such as February 30). Empty when it
   * names some.
   */
  static Optional<String> problem(String expression) {
    String text = expression == null ? "" : expression.trim();
    if (text.startsWith("@")) {
      return Optional.of(
          "'"
              + expression
              + "' names no times of day: "
              + HINT
              + " (@every and shorthands such as @daily are for job schedules)");
    }
    Optional<String> syntax = Cron.problem(expression);
    if (syntax.isPresent()) {
      // Cron's advice offers @every and the shorthands, which a calendar cannot use.
      String why = syntax.get();
      return Optional.of(
          why.endsWith(Cron.HINT)
              ? why.substring(0, why.length() - Cron.HINT.length()) + HINT
              : why);
    }
    if (read(expression).nextDate(CYCLE_START, CYCLE_END) == null) {
      return Optional.of(
          "'"
              + expression
              + "' never matches: no date has the day of the month it names in the months it"
              + " names (as February 30); "
              + HINT);
    }
    return Optional.empty();
  }

  /** Whether {@code date} is a day the expression names. */
  boolean matches(LocalDate date) {
    if (!months.get(date.getMonthValue())) {
      return false;
    }
    boolean day = daysOfMonth.get(date.getDayOfMonth());
    boolean weekday = daysOfWeek.get(date.getDayOfWeek().getValue() % 7);
    return eitherDay ? day || weekday : day && weekday;
  }

  /** The times of day the expression names, earliest first; never empty. */
  List<LocalTime> times() {
    return times;
  }

  /** The first date from {@code from} to {@code until}, both included, that matches; or null. */
  LocalDate nextDate(LocalDate from, LocalDate until) {
    LocalDate date = from;
    while (!date.isAfter(until)) {
      if (!months.get(date.getMonthValue())) {
        date = date.withDayOfMonth(1).plusMonths(1);
      } else if (matches(date)) {
        return date;
      } else {
        date = date.plusDays(1);
      }
    }
    return null;
  }

  /** Reads an expression {@link Cron#problem} accepts with five fields. */
  private static CronCalendar read(String expression) {
    return new CronCalendar(expression.trim().split("\\s+"));
  }

  private static BitSet values(Field field, String text) {
    BitSet values = new BitSet(field.max() + 1);
    for (String term : text.split(",")) {
      int slash = term.indexOf('/');
      String base = slash < 0 ? term : term.substring(0, slash);
      int step = slash < 0 ? 1 : Integer.parseInt(term.substring(slash + 1));
      int low;
      int high;
      if (base.equals("*")) {
        low = field.min();
        high = field.openEnd();
      } else {
        int dash = base.indexOf('-');
        low = value(field, dash < 0 ? base : base.substring(0, dash));
        high =
            dash >= 0
                ? value(field, base.substring(dash + 1))
                : slash >= 0 ? Math.max(low, field.openEnd()) : low;
      }
      for (int v = low; v <= high; v += step) {
        values.set(v);
      }
    }
    return values;
  }

  /** A number or name of {@code field}, as {@link Cron} reads it. */
  private static int value(Field field, String text) {
    if (text.length() >= field.shortestName() && !field.names().isEmpty()) {
      String lower = text.toLowerCase(Locale.ROOT);
      for (int i = 0; i < field.names().size(); i++) {
        if (field.names().get(i).startsWith(lower)) {
          return field.firstName() + i;
        }
      }
    }
    return Integer.parseInt(text);
  }
}
