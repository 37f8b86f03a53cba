package io.capstan.definitions;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them in definitions: a number and a unit ({@code 500ms}, {@code 10s},
 * {@code 5m}, {@code 2h}, {@code 1d}, combinable as in {@code 1h30m}) or ISO-8601 ({@code PT5M},
 * {@code P1DT2H}).
 */
public final class Durations {
  /**
   * What a duration looks like. The JSON Schema's {@code $defs/Duration/pattern} is this same
   * expression, so editors, the schema and the parser accept exactly the same strings.
   */
  public static final String PATTERN =
      "^(?:(?:[0-9]{1,9}(?:ms|s|m|h|d))+"
          + "|P(?=[0-9T])(?:[0-9]{1,9}D)?(?:T(?=[0-9])(?:[0-9]{1,9}H)?(?:[0-9]{1,9}M)?"
          + "(?:[0-9]{1,9}(?:\\.[0-9]{1,9})?S)?)?)$";

  /** The longest duration accepted anywhere; longer ones are almost certainly typos. */
  public static final Duration LONGEST = Duration.ofDays(365);

  /** The advice given with every duration that cannot be read. */
  public static final String HINT = "use 500ms, 10s, 5m, 2h, 1d or ISO-8601 like PT5M";

  private static final Pattern FORMAT = Pattern.compile(PATTERN);
  private static final Pattern PART = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

  private Durations() {}

  /** Whether {@code text} is a duration {@link #parse} accepts. */
  public static boolean isDuration(String text) {
    return text != null && FORMAT.matcher(text).matches();
  }

  /**
   * The duration {@code text} denotes.
   *
   * @throws IllegalArgumentException with the message a person reads, when it is not a duration
   */
  public static Duration parse(String text) {
    if (!isDuration(text)) {
      throw new IllegalArgumentException(notADuration(text));
    }
    if (text.startsWith("P")) {
      return Duration.parse(text);
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long amount = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
              });
    }
    return total;
  }

  /**
   * What is wrong with the size of the duration {@code text} denotes: zero where a positive one is
   * needed, or longer than {@link #LONGEST}; empty when it fits (or is not a duration at all, which
   * {@link #notADuration} words).
   */
  public static Optional<String> sizeProblem(String text, boolean positive) {
    if (!isDuration(text)) {
      return Optional.empty();
    }
    Duration duration = parse(text);
    if (positive && duration.isZero()) {
      return Optional.of("'" + text + "' is too short: use a duration above zero");
    }
    if (duration.compareTo(LONGEST) > 0) {
      return Optional.of("'" + text + "' is too long: at most " + format(LONGEST));
    }
    return Optional.empty();
  }

  /** {@code '5 minutes' is not a duration: use 500ms, 10s, ...}. */
  public static String notADuration(String text) {
    return "'" + text + "' is not a duration: " + HINT;
  }

  /**
   * {@code duration} the way people write it: {@code 10s}, {@code 5m}, {@code 1h30m}, {@code
   * 500ms}, {@code 0s}. Durations finer than a millisecond fall back to ISO-8601.
   */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.isNegative()) {
      return "-" + format(duration.negated());
    }
    if (duration.getNano() % 1_000_000 != 0) {
      return duration.toString();
    }
    StringBuilder out = new StringBuilder();
    append(out, duration.toDays(), "d");
    append(out, duration.toHoursPart(), "h");
    append(out, duration.toMinutesPart(), "m");
    append(out, duration.toSecondsPart(), "s");
    append(out, duration.toMillisPart(), "ms");
    return out.toString();
  }

  private static void append(StringBuilder out, long amount, String unit) {
    if (amount > 0) {
      out.append(amount).append(unit);
    }
  }
}
