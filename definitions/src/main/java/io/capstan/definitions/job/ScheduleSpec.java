package io.capstan.definitions.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.time.Duration;

/**
 * When a job runs by itself, as a Temporal Schedule. In YAML either a cron string ({@code schedule:
 * "0 * * * *"}) or an object with {@code cron}, {@code overlap}, {@code catchupWindow}, {@code
 * paused} and {@code timezone}. Serialised, it is always the object, so it round-trips through any
 * Jackson mapper (Temporal's included) as well as through the definition parser.
 *
 * @param cron a five-field cron expression, {@code @hourly}-style shorthand, or an {@code @every
 *     10s}-style interval (see {@link Cron})
 * @param overlap what to do when a run is due while one still runs; default skip
 * @param catchupWindow how late a missed run may still start (after downtime); default 1m, at least
 *     {@link #MIN_CATCHUP_WINDOW}
 * @param paused create the schedule paused
 * @param timezone IANA zone the cron is read in; default UTC
 */
public record ScheduleSpec(
    String cron, ScheduleOverlap overlap, Duration catchupWindow, Boolean paused, String timezone) {
  public static final Duration DEFAULT_CATCHUP_WINDOW = Duration.ofMinutes(1);

  /** The shortest catch-up window Temporal accepts. */
  public static final Duration MIN_CATCHUP_WINDOW = Duration.ofSeconds(10);

  public static final String DEFAULT_TIMEZONE = "UTC";

  @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
  public ScheduleSpec {
    overlap = overlap == null ? ScheduleOverlap.SKIP : overlap;
    catchupWindow = catchupWindow == null ? DEFAULT_CATCHUP_WINDOW : catchupWindow;
    paused = paused != null && paused;
    timezone = timezone == null || timezone.isBlank() ? DEFAULT_TIMEZONE : timezone;
  }

  /** The shorthand {@code schedule: "CRON"}: that cron with every other field at its default. */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static ScheduleSpec of(String cron) {
    return new ScheduleSpec(cron, null, null, null, null);
  }
}
