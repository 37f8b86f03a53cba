package io.capstan.api.schedules;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.capstan.definitions.job.ScheduleOverlap;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A job's schedule as the API answers it.
 *
 * @param kind always {@code Schedule}
 * @param status {@code ACTIVE} or {@code PAUSED}
 * @param note why the schedule was last paused or unpaused, when someone said
 * @param recentRuns the runs it started most recently, newest first
 */
public record ScheduleView(
    String id,
    String kind,
    String name,
    String namespace,
    String status,
    Terms schedule,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) String note,
    List<ScheduledRun> recentRuns,
    Links links) {
  public static final String KIND = "Schedule";
  public static final String ACTIVE = "ACTIVE";
  public static final String PAUSED = "PAUSED";
  public static final String SCHEDULES_PATH = "/api/v1/schedules/";

  public ScheduleView {
    recentRuns = recentRuns == null ? List.of() : List.copyOf(recentRuns);
  }

  /**
   * When and how the job runs.
   *
   * @param cron as the definition wrote it: a five-field cron expression or {@code @every D}
   * @param nextRuns the next times it will run, as Temporal computed them; none while paused
   */
  public record Terms(
      String cron,
      ScheduleOverlap overlap,
      Duration catchupWindow,
      boolean paused,
      String timezone,
      List<Instant> nextRuns) {
    public Terms {
      nextRuns = nextRuns == null ? List.of() : List.copyOf(nextRuns);
    }
  }

  /**
   * A run the schedule started.
   *
   * @param scheduledAt when it was due
   * @param startedAt when Temporal started it (later than due for a backfill or catch-up)
   */
  public record ScheduledRun(String id, Instant scheduledAt, Instant startedAt) {}

  /**
   * @param self this schedule in the API
   * @param runs the runs it started, in the API
   * @param temporalUi the schedule's page in the Temporal Web UI, when there is one
   */
  public record Links(String self, String runs, String temporalUi) {}
}
