package io.capstan.api.schedules;

import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.api.runs.RunKind;
import io.capstan.api.runs.RunMetadata;
import io.capstan.definitions.Durations;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.job.JobInput;
import io.capstan.workflows.job.JobWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A job with a {@code schedule} in Temporal's terms: a schedule whose action starts {@link
 * JobWorkflow} on the control-plane queue, its runs carrying the same search attributes and memo as
 * a submitted run. A cron expression becomes one of the schedule's cron expressions, read in the
 * schedule's time zone; {@code @every 10s} becomes an interval.
 */
final class ScheduleTranslation {
  static final String EVERY = "@every";
  static final String CREATED_PAUSED_NOTE = "created paused by its definition";

  private ScheduleTranslation() {}

  /**
   * The Temporal schedule of a job whose definition has {@code spec.schedule}: each run it starts
   * has the workflow id {@code id} (Temporal appends the time it was due), and it starts paused
   * when the definition says so.
   *
   * @param definitionYaml the submitted document, kept in the memo of each run
   */
  static Schedule schedule(
      String id, JobDefinition job, Map<String, String> params, String definitionYaml) {
    ScheduleSpec spec = job.spec().schedule();
    Metadata metadata = job.metadata();
    WorkflowOptions action =
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(TaskQueues.CONTROL_PLANE)
            .setTypedSearchAttributes(RunMetadata.searchAttributes(RunKind.JOB, metadata))
            .setMemo(RunMetadata.memo(RunKind.JOB, metadata, definitionYaml))
            .setStaticSummary(RunMetadata.summary(job))
            .setStaticDetails(RunMetadata.details(job))
            .build();
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(JobWorkflow.class)
                .setArguments(JobInput.of(job, params))
                .setOptions(action)
                .build())
        .setSpec(spec(spec))
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(overlap(spec.overlap()))
                .setCatchupWindow(spec.catchupWindow())
                .build())
        .setState(
            ScheduleState.newBuilder()
                .setPaused(spec.paused())
                .setNote(spec.paused() ? CREATED_PAUSED_NOTE : "")
                .build())
        .build();
  }

  static io.temporal.client.schedules.ScheduleSpec spec(ScheduleSpec schedule) {
    io.temporal.client.schedules.ScheduleSpec.Builder spec =
        io.temporal.client.schedules.ScheduleSpec.newBuilder().setTimeZoneName(schedule.timezone());
    Optional<Duration> every = interval(schedule.cron());
    if (every.isPresent()) {
      spec.setIntervals(List.of(new ScheduleIntervalSpec(every.get())));
    } else {
      spec.setCronExpressions(List.of(schedule.cron().trim()));
    }
    return spec.build();
  }

  /**
   * The interval of an {@code @every DURATION} schedule, or empty for a cron expression.
   *
   * @throws UnprocessableException when the duration cannot be read or is not positive
   */
  static Optional<Duration> interval(String cron) {
    String text = cron == null ? "" : cron.trim();
    if (!text.toLowerCase(Locale.ROOT).startsWith(EVERY)) {
      return Optional.empty();
    }
    String amount = text.substring(EVERY.length()).trim();
    Duration every;
    try {
      every = Durations.parse(amount);
    } catch (RuntimeException unreadable) {
      every = null;
    }
    if (every == null || every.isZero() || every.isNegative()) {
      throw new UnprocessableException(
          "invalid schedule",
          List.of(
              ErrorDetail.at(
                  "spec.schedule.cron",
                  "'"
                      + cron
                      + "': write "
                      + EVERY
                      + " and a positive duration; "
                      + Durations.HINT)));
    }
    return Optional.of(every);
  }

  static ScheduleOverlapPolicy overlap(ScheduleOverlap overlap) {
    return switch (overlap) {
      case SKIP -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP;
      case BUFFER_ONE -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE;
      case BUFFER_ALL -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL;
      case CANCEL_OTHER -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER;
      case TERMINATE_OTHER -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER;
      case ALLOW_ALL -> ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL;
    };
  }

  /** The overlap of a Temporal policy; empty for a policy Capstan does not name. */
  static Optional<ScheduleOverlap> overlap(ScheduleOverlapPolicy policy) {
    if (policy == null) {
      return Optional.empty();
    }
    return switch (policy) {
      case SCHEDULE_OVERLAP_POLICY_SKIP -> Optional.of(ScheduleOverlap.SKIP);
      case SCHEDULE_OVERLAP_POLICY_BUFFER_ONE -> Optional.of(ScheduleOverlap.BUFFER_ONE);
      case SCHEDULE_OVERLAP_POLICY_BUFFER_ALL -> Optional.of(ScheduleOverlap.BUFFER_ALL);
      case SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER -> Optional.of(ScheduleOverlap.CANCEL_OTHER);
      case SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER -> Optional.of(ScheduleOverlap.TERMINATE_OTHER);
      case SCHEDULE_OVERLAP_POLICY_ALLOW_ALL -> Optional.of(ScheduleOverlap.ALLOW_ALL);
      default -> Optional.empty();
    };
  }
}
