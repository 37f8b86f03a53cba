package io.capstan.api.schedules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.http.UnprocessableException;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.JobDefinition;
import io.capstan.definitions.job.ScheduleOverlap;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.job.JobWorkflow;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A job's schedule in Temporal's terms")
class ScheduleTranslationTest {
  @Test
  @DisplayName("a cron expression becomes the schedule's cron expression, in its time zone")
  void cronBecomesCronExpression() {
    var spec =
        ScheduleTranslation.spec(
            new ScheduleSpec("*/15 * * * *", null, null, null, "Europe/Berlin"));

    assertThat(spec.getCronExpressions()).containsExactly("*/15 * * * *");
    assertThat(spec.getIntervals()).isNullOrEmpty();
    assertThat(spec.getTimeZoneName()).isEqualTo("Europe/Berlin");
  }

  @Test
  @DisplayName("@every DURATION becomes an interval")
  void everyBecomesInterval() {
    var spec = ScheduleTranslation.spec(ScheduleSpec.of("@every 1m30s"));

    assertThat(spec.getIntervals())
        .extracting(ScheduleIntervalSpec::getEvery)
        .containsExactly(Duration.ofSeconds(90));
    assertThat(spec.getCronExpressions()).isNullOrEmpty();
    assertThat(spec.getTimeZoneName()).isEqualTo("UTC");
  }

  @Test
  @DisplayName("an @every without a readable duration is 422 at spec.schedule.cron")
  void unreadableEveryIsRefused() {
    assertThatThrownBy(() -> ScheduleTranslation.interval("@every soon"))
        .isInstanceOf(UnprocessableException.class)
        .satisfies(
            e ->
                assertThat(((UnprocessableException) e).details().get(0).path())
                    .isEqualTo("spec.schedule.cron"));
  }

  @Test
  @DisplayName("every overlap maps onto Temporal's policy of the same name and back")
  void overlapsMapBothWays() {
    assertThat(ScheduleTranslation.overlap(ScheduleOverlap.SKIP))
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
    assertThat(ScheduleTranslation.overlap(ScheduleOverlap.BUFFER_ONE))
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
    assertThat(ScheduleTranslation.overlap(ScheduleOverlap.TERMINATE_OTHER))
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER);
    for (ScheduleOverlap overlap : ScheduleOverlap.values()) {
      assertThat(ScheduleTranslation.overlap(ScheduleTranslation.overlap(overlap)))
          .contains(overlap);
    }
    assertThat(
            ScheduleTranslation.overlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED))
        .isEmpty();
  }

  @Test
  @DisplayName("a paused scheduled job becomes a paused schedule that starts JobWorkflow")
  void pausedJobBecomesPausedSchedule() {
    JobDefinition job =
        (JobDefinition)
            DefinitionParser.parse(
                    """
                    apiVersion: capstan.io/v1
                    kind: Job
                    metadata: {name: nightly-backup, namespace: team-a}
                    spec:
                      simulate: {output: saved}
                      schedule:
                        cron: "0 3 * * *"
                        overlap: bufferOne
                        paused: true
                    """)
                .get(0);

    Schedule schedule =
        ScheduleTranslation.schedule("schedule-team-a-nightly-backup", job, Map.of(), "yaml");

    var action = (ScheduleActionStartWorkflow) schedule.getAction();
    assertThat(action.getWorkflowType()).isEqualTo(JobWorkflow.TYPE);
    assertThat(action.getOptions().getWorkflowId()).isEqualTo("schedule-team-a-nightly-backup");
    assertThat(action.getOptions().getTaskQueue()).isEqualTo(TaskQueues.CONTROL_PLANE);
    assertThat(schedule.getSpec().getCronExpressions()).containsExactly("0 3 * * *");
    assertThat(schedule.getPolicy().getOverlap())
        .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
    assertThat(schedule.getState().isPaused()).isTrue();
    assertThat(schedule.getState().getNote()).isEqualTo(ScheduleTranslation.CREATED_PAUSED_NOTE);
  }

  @Test
  @DisplayName("schedule ids read as schedule-<namespace>-<name>")
  void scheduleIds() {
    assertThat(ScheduleIds.of("team-a", "nightly")).isEqualTo("schedule-team-a-nightly");
    assertThat(ScheduleIds.isWellFormed("schedule-team-a-nightly")).isTrue();
    for (String bad : List.of("", "schedule-", "pipeline-x", "schedule-a/../b", "schedule-A")) {
      assertThat(ScheduleIds.isWellFormed(bad)).as(bad).isFalse();
    }
  }
}
