package io.capstan.api.auth;

import java.util.Locale;

/**
 * How many submissions a principal may make: on average {@code perSecond}, with up to {@code burst}
 * at once. {@code perSecond} 0 means no limit.
 */
public record SubmitRate(double perSecond, int burst) {
  /** Ten a second, twenty at once: far above a person or a CI job, far below a runaway loop. */
  public static final SubmitRate DEFAULT = new SubmitRate(10, 20);

  public static final SubmitRate UNLIMITED = new SubmitRate(0, 0);

  public SubmitRate {
    if (perSecond < 0 || Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException("a submit rate is 0 (no limit) or a positive number");
    }
    if (perSecond > 0 && burst < 1) {
      throw new IllegalArgumentException("a submit burst is at least 1");
    }
  }

  public boolean limited() {
    return perSecond > 0;
  }

  /**
   * A rate as {@code --submit-rate} takes it: {@code 10} (per second, burst twice that), {@code
   * 10/20} (per second / burst), or {@code off}.
   *
   * @throws IllegalArgumentException saying how to write it
   */
  public static SubmitRate parse(String text) {
    String value = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (value.equals("off") || value.equals("0") || value.equals("unlimited")) {
      return UNLIMITED;
    }
    String[] parts = value.split("/", -1);
    try {
      double perSecond = Double.parseDouble(parts[0].trim());
      if (parts.length == 1) {
        return new SubmitRate(perSecond, (int) Math.max(1, Math.ceil(perSecond * 2)));
      }
      if (parts.length == 2) {
        return new SubmitRate(perSecond, Integer.parseInt(parts[1].trim()));
      }
    } catch (IllegalArgumentException unreadable) {
      // Reported below with the forms that are accepted.
    }
    throw new IllegalArgumentException(
        "invalid submit rate '"
            + text
            + "': write RATE (submissions per second, e.g. 10), RATE/BURST (e.g. 10/20) or off");
  }

  @Override
  public String toString() {
    if (!limited()) {
      return "unlimited";
    }
    String rate =
        perSecond == Math.rint(perSecond)
            ? Long.toString((long) perSecond)
            : Double.toString(perSecond);
    return rate + "/s, burst " + burst;
  }
}
