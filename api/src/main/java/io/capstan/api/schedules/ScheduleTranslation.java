package io.capstan.api.schedules;

import io.capstan.api.http.ErrorDetail;
import io.capstan.api.http.UnprocessableException;
import io.capstan.definitions.Durations;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A job's {@code schedule} in Temporal's terms: a cron expression becomes one of the schedule's
 * cron expressions, read in the schedule's time zone; {@code @every 10s} becomes an interval.
 */
final class ScheduleTranslation {
  static final String EVERY = "@every";

  private ScheduleTranslation() {}

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
