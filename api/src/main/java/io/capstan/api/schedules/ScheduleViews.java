package io.capstan.api.schedules;

import io.capstan.api.TemporalInfo;
import io.capstan.api.runs.RunLinks;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.job.ScheduleSpec;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionExecution;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleListDescription;
import io.temporal.client.schedules.ScheduleState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The API's {@link ScheduleView} of what Temporal says about a schedule, whether it described the
 * schedule or listed it, with links into the API and the Temporal Web UI.
 */
final class ScheduleViews {
  private final TemporalInfo temporal;

  ScheduleViews(TemporalInfo temporal) {
    this.temporal = temporal;
  }

  ScheduleView of(ScheduleDescription description) {
    Schedule schedule = description.getSchedule();
    ScheduleMemo memo = ScheduleMemo.of(description);
    ScheduleSpec terms =
        memo.terms(
            Optional.ofNullable(schedule.getPolicy()),
            schedule.getSpec() == null ? null : schedule.getSpec().getTimeZoneName());
    ScheduleState state = schedule.getState();
    boolean paused = state != null && state.isPaused();
    return view(
        description.getId(),
        memo.metadata(),
        terms,
        paused,
        state == null ? null : state.getNote(),
        description.getInfo().getNextActionTimes(),
        description.getInfo().getRecentActions());
  }

  ScheduleView of(ScheduleListDescription listed) {
    // A listing comes from the visibility store, where a fresh schedule may still lack parts.
    var schedule = listed.getSchedule();
    var spec = schedule == null ? null : schedule.getSpec();
    var state = schedule == null ? null : schedule.getState();
    var info = listed.getInfo();
    ScheduleMemo memo = ScheduleMemo.of(listed);
    return view(
        listed.getScheduleId(),
        memo.metadata(),
        memo.terms(Optional.empty(), spec == null ? null : spec.getTimeZoneName()),
        state != null && state.isPaused(),
        state == null ? null : state.getNote(),
        info == null ? List.of() : info.getNextActionTimes(),
        info == null ? List.of() : info.getRecentActions());
  }

  /**
   * A schedule just created from its definition, before Temporal can describe it: its terms as
   * written, no next run times yet and no runs.
   */
  ScheduleView created(String id, Metadata metadata, ScheduleSpec spec) {
    return view(id, metadata, spec, spec.paused(), null, List.of(), List.of());
  }

  private ScheduleView view(
      String id,
      Metadata metadata,
      ScheduleSpec terms,
      boolean paused,
      String note,
      List<Instant> nextRuns,
      List<ScheduleActionResult> recent) {
    nextRuns = nextRuns == null ? List.of() : nextRuns;
    List<ScheduleView.ScheduledRun> runs = new ArrayList<>();
    for (ScheduleActionResult result : recent == null ? List.<ScheduleActionResult>of() : recent) {
      ScheduleActionExecution action = result.getAction();
      if (action instanceof ScheduleActionExecutionStartWorkflow started) {
        runs.add(
            new ScheduleView.ScheduledRun(
                started.getWorkflowId(), result.getScheduledAt(), result.getStartedAt()));
      }
    }
    Collections.reverse(runs);
    return new ScheduleView(
        id,
        ScheduleView.KIND,
        metadata.name(),
        metadata.namespace(),
        paused ? ScheduleView.PAUSED : ScheduleView.ACTIVE,
        new ScheduleView.Terms(
            terms.cron(),
            terms.overlap(),
            terms.catchupWindow(),
            paused,
            terms.timezone(),
            // A paused schedule computes due times it will not act on.
            paused ? List.of() : nextRuns),
        note,
        runs,
        new ScheduleView.Links(
            ScheduleView.SCHEDULES_PATH + id,
            RunLinks.RUNS_PATH.substring(0, RunLinks.RUNS_PATH.length() - 1) + "?schedule=" + id,
            RunLinks.uiPage(temporal, "schedules", id)));
  }
}
