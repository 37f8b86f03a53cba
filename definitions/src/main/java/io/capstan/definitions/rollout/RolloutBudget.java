package io.capstan.definitions.rollout;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rolling update's {@code maxSurge} and {@code maxUnavailable} with a Deployment's semantics:
 * each is a count ({@code 2}) or a percentage of the pool's desired size ({@code "25%"}); a surge
 * percentage rounds up, an unavailable one rounds down; both zero is an error (nothing could move);
 * the defaults are a surge of 1 and none unavailable.
 *
 * @param surge how many nodes above the desired size may exist during the rollout
 * @param unavailable how many of the desired nodes may be not Ready or unschedulable at once
 */
public record RolloutBudget(int surge, int unavailable) {
  public static final String DEFAULT_SURGE = "1";
  public static final String DEFAULT_UNAVAILABLE = "0";

  private static final Pattern VALUE = Pattern.compile("(\\d{1,9})(%?)");

  /**
   * The budget for a pool of {@code desired} nodes.
   *
   * @param maxSurge a count or a percentage; null for {@value #DEFAULT_SURGE}
   * @param maxUnavailable a count or a percentage; null for {@value #DEFAULT_UNAVAILABLE}
   * @throws IllegalArgumentException naming the field and what it takes, for a malformed value or a
   *     budget that lets nothing move
   */
  public static RolloutBudget of(String maxSurge, String maxUnavailable, int desired) {
    if (desired < 0) {
      throw new IllegalArgumentException("a pool's desired size is never negative: " + desired);
    }
    int surge = resolve("maxSurge", maxSurge == null ? DEFAULT_SURGE : maxSurge, desired, true);
    int unavailable =
        resolve(
            "maxUnavailable",
            maxUnavailable == null ? DEFAULT_UNAVAILABLE : maxUnavailable,
            desired,
            false);
    if (surge == 0 && unavailable == 0) {
      throw new IllegalArgumentException(bothZero(" for a pool of " + desired + " nodes"));
    }
    return new RolloutBudget(surge, unavailable);
  }

  /**
   * Why {@code maxSurge} and {@code maxUnavailable} let nothing move in a pool of any size: both
   * are written as zero (a count or a percentage; null means the default). Empty otherwise, and
   * when either is malformed ({@link #problem} words that). A nonzero percentage may still come to
   * 0 in a small pool; only {@link #of}, given the pool's size, can tell.
   */
  public static Optional<String> nothingMoves(String maxSurge, String maxUnavailable) {
    Integer surge = number(maxSurge == null ? DEFAULT_SURGE : maxSurge);
    Integer unavailable = number(maxUnavailable == null ? DEFAULT_UNAVAILABLE : maxUnavailable);
    return surge != null && surge == 0 && unavailable != null && unavailable == 0
        ? Optional.of(bothZero(""))
        : Optional.empty();
  }

  /** Why {@code value} is not a count or a percentage; empty when it is one. */
  public static Optional<String> problem(String field, String value) {
    Matcher matcher = VALUE.matcher(value == null ? "" : value.trim());
    if (!matcher.matches()) {
      return Optional.of(
          field + " takes a count (2) or a percentage of the pool (\"25%\"), not '" + value + "'");
    }
    if (!matcher.group(2).isEmpty() && Integer.parseInt(matcher.group(1)) > 100) {
      return Optional.of(field + " is a percentage of at most 100%, not " + value);
    }
    return Optional.empty();
  }

  /** The least number of Ready, schedulable nodes the pool keeps at every instant. */
  public int floor(int desired) {
    return Math.max(0, desired - unavailable);
  }

  /** The most nodes the pool may have at once. */
  public int ceiling(int desired) {
    return desired + surge;
  }

  /** The number in a well-formed count or percentage; null for a malformed value. */
  private static Integer number(String value) {
    if (problem("", value).isPresent()) {
      return null;
    }
    Matcher matcher = VALUE.matcher(value.trim());
    matcher.matches();
    return Integer.parseInt(matcher.group(1));
  }

  private static String bothZero(String where) {
    return "maxSurge and maxUnavailable are both 0"
        + where
        + ": no node could be replaced (give maxSurge at least 1, or maxUnavailable)";
  }

  private static int resolve(String field, String value, int desired, boolean roundUp) {
    problem(field, value)
        .ifPresent(
            why -> {
              throw new IllegalArgumentException(why);
            });
    Matcher matcher = VALUE.matcher(value.trim());
    matcher.matches();
    int number = Integer.parseInt(matcher.group(1));
    if (matcher.group(2).isEmpty()) {
      return number;
    }
    long scaled = (long) number * desired;
    return (int) (roundUp ? (scaled + 99) / 100 : scaled / 100);
  }
}
