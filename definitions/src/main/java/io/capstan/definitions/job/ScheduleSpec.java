package io.capstan.definitions.job;

import java.time.Duration;

/**
 * When a job runs by itself, as a Temporal Schedule. In YAML either a cron string ({@code
 * schedule: "0 * * * *"}) or an object with {@code cron}, {@code overlap}, {@code catchupWindow},
 * {@code paused} and {@code timezone}.
 *
 * @param cron a five-field cron expression (or a {@code @every 10s}-style interval)
 * @param overlap what to do when a run is due while one still runs; default skip
 * @param catchupWindow how late a missed run may still start (after downtime); default 1m
 * @param paused create the schedule paused
 * @param timezone IANA zone the cron is read in; default UTC
 */
public record ScheduleSpec(
    String cron, ScheduleOverlap overlap, Duration catchupWindow, Boolean paused, String timezone) {
  public static final Duration DEFAULT_CATCHUP_WINDOW = Duration.ofMinutes(1);

  public ScheduleSpec {
    overlap = overlap == null ? ScheduleOverlap.SKIP : overlap;
    catchupWindow = catchupWindow == null ? DEFAULT_CATCHUP_WINDOW : catchupWindow;
    paused = paused != null && paused;
    timezone = timezone == null || timezone.isBlank() ? "UTC" : timezone;
  }
}
