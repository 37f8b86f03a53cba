package io.capstan.definitions.job;

import io.capstan.definitions.Durations;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The schedule expressions a job's {@code schedule.cron} accepts, all of which Temporal Schedules
 * understand: five cron fields ({@code minute hour day-of-month month day-of-week}, each {@code *},
 * a number or name, a range {@code a-b}, a step {@code /n}, or a list of those), a shorthand such
 * as {@code @hourly}, or an interval {@code @every DURATION} (a Capstan duration of at least one
 * second).
 */
public final class Cron {
  /** Every accepted shorthand, each a fixed cron expression. */
  public static final Set<String> SHORTHANDS =
      Set.of("@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually");

  /** The prefix of an interval schedule. */
  public static final String EVERY = "@every";

  /** The shortest interval: Temporal schedules act at second granularity. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(1);

  /** What every refusal suggests. */
  public static final String HINT =
      "write five fields (minute hour day-of-month month day-of-week) such as \"*/15 * * * *\","
          + " or @every 10m, or one of @hourly, @daily, @weekly, @monthly, @yearly";

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

  // Temporal reads a month from three letters of its name on, a day from two, and both 0 and 7
  // as Sunday; months and days of the month count from 1.
  private static final List<Field> FIELDS =
      List.of(
          new Field("minute", 0, 59, List.of(), 0, 0),
          new Field("hour", 0, 23, List.of(), 0, 0),
          new Field("day-of-month", 1, 31, List.of(), 0, 0),
          new Field("month", 1, 12, MONTHS, 3, 1),
          new Field("day-of-week", 0, 7, DAYS, 2, 0));

  private static final Pattern TERM =
      Pattern.compile("^(\\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:/([0-9]{1,4}))?$");

  /**
   * One cron field: its range, the names it also accepts (the first meaning {@code firstName}), and
   * how many leading letters of a name are enough.
   */
  private record Field(
      String name, int min, int max, List<String> names, int shortestName, int firstName) {}

  private Cron() {}

  /**
   * What is wrong with {@code expression}, in words a person can act on; empty when Temporal will
   * accept it.
   */
  public static Optional<String> problem(String expression) {
    if (expression == null || expression.isBlank()) {
      return Optional.of("the schedule is empty: " + HINT);
    }
    String text = expression.trim();
    if (text.startsWith("@")) {
      return special(expression, text);
    }
    String[] fields = text.split("\\s+");
    if (fields.length != FIELDS.size()) {
      return Optional.of("'" + expression + "' has " + fields.length + " fields, not 5: " + HINT);
    }
    for (int i = 0; i < fields.length; i++) {
      String problem = field(FIELDS.get(i), fields[i]);
      if (problem != null) {
        return Optional.of(
            "'" + expression + "' is not a valid schedule: " + problem + "; " + HINT);
      }
    }
    return Optional.empty();
  }

  /** The interval of an {@code @every DURATION} expression; empty for any other expression. */
  public static Optional<Duration> interval(String expression) {
    String text = expression == null ? "" : expression.trim();
    if (!text.startsWith(EVERY + " ")) {
      return Optional.empty();
    }
    String amount = text.substring(EVERY.length()).trim();
    return Durations.isDuration(amount) ? Optional.of(Durations.parse(amount)) : Optional.empty();
  }

  private static Optional<String> special(String expression, String text) {
    // Temporal matches the shorthands exactly, in lower case.
    if (SHORTHANDS.contains(text)) {
      return Optional.empty();
    }
    if (text.equals(EVERY) || text.startsWith(EVERY + " ")) {
      Optional<Duration> every = interval(text);
      if (every.isEmpty()) {
        return Optional.of(
            "'"
                + expression
                + "' needs a duration after @every, such as @every 30s or @every 1h; "
                + Durations.HINT);
      }
      if (every.get().compareTo(MIN_INTERVAL) < 0) {
        return Optional.of(
            "'" + expression + "' is too frequent: a schedule fires at most once a second");
      }
      return Optional.empty();
    }
    return Optional.of("'" + expression + "' is not a known shorthand: " + HINT);
  }

  /** The problem with one field, or null when it is well formed. */
  private static String field(Field field, String text) {
    for (String term : text.split(",", -1)) {
      Matcher m = TERM.matcher(term);
      if (!m.matches()) {
        return field.name() + " '" + text + "' cannot be read";
      }
      String base = m.group(1);
      if (m.group(2) != null && Integer.parseInt(m.group(2)) == 0) {
        return field.name() + " '" + text + "' steps by 0";
      }
      if (base.equals("*")) {
        continue;
      }
      String[] ends = base.split("-");
      Integer low = value(field, ends[0]);
      Integer high = ends.length > 1 ? value(field, ends[1]) : low;
      for (String end : ends) {
        if (value(field, end) == null) {
          return field.name() + " '" + end + "' " + outOfRange(field, end);
        }
      }
      if (low > high) {
        return field.name() + " range '" + base + "' runs backwards";
      }
    }
    return null;
  }

  private static String outOfRange(Field field, String text) {
    String range = field.min() + "-" + field.max();
    if (text.chars().allMatch(Character::isDigit)) {
      return "is out of range " + range;
    }
    if (field.names().isEmpty()) {
      return "is not a number " + range;
    }
    return "is neither a number "
        + range
        + " nor a name such as "
        + field.names().get(1).substring(0, 3);
  }

  private static Integer value(Field field, String text) {
    if (text.length() >= field.shortestName() && !field.names().isEmpty()) {
      String lower = text.toLowerCase(Locale.ROOT);
      for (int i = 0; i < field.names().size(); i++) {
        if (field.names().get(i).startsWith(lower)) {
          return field.firstName() + i;
        }
      }
    }
    if (!text.chars().allMatch(Character::isDigit) || text.length() > 4) {
      return null;
    }
    int value = Integer.parseInt(text);
    return value < field.min() || value > field.max() ? null : value;
  }
}
