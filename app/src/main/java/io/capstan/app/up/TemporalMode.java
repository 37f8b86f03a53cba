package io.capstan.app.up;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** Which Temporal server {@code capstan up} starts when no external one is named. */
public enum TemporalMode {
  /** The dev server when a {@code temporal} binary is found, else the Java test server. */
  AUTO,
  /** {@code temporal server start-dev} with a SQLite file, the Web UI and visibility. */
  DEV_SERVER,
  /** The in-process Java test server: in memory, no Web UI, no visibility, no Schedules. */
  TEST_SERVER;

  /** The name on the command line: {@code auto}, {@code dev-server}, {@code test-server}. */
  public String flagValue() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The mode a flag value names.
   *
   * @throws IllegalArgumentException naming the accepted values
   */
  public static TemporalMode fromFlag(String value) {
    for (TemporalMode mode : values()) {
      if (mode.flagValue().equalsIgnoreCase(value.trim())) {
        return mode;
      }
    }
    throw new IllegalArgumentException(
        "unknown Temporal mode '"
            + value
            + "': use one of "
            + Arrays.stream(values())
                .map(TemporalMode::flagValue)
                .collect(Collectors.joining(", ")));
  }
}
