package io.capstan.api.runs;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.api.enums.v1.PendingActivityState;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Merging Temporal's pending attempts into task states")
class PendingAttemptTest {
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

  private static Map<String, TaskState> running(String task) {
    Map<String, TaskState> tasks = new LinkedHashMap<>();
    tasks.put(task, new TaskState(TaskPhase.RUNNING, 1, null, null, T0, null, null));
    return tasks;
  }

  @Test
  @DisplayName("a task waiting for its next attempt is RETRYING with the attempts made so far")
  void waitingTaskIsRetrying() {
    PendingAttempt pending = new PendingAttempt("load", 3, false, "exit code 2", "worker-1", T0);

    TaskState load = PendingAttempt.merge(running("load"), List.of(pending), false).get("load");

    assertThat(load.state()).isEqualTo(TaskPhase.RETRYING);
    assertThat(load.attempts()).isEqualTo(2);
    assertThat(load.error()).isEqualTo("exit code 2");
    assertThat(load.host()).isEqualTo("worker-1");
    assertThat(load.startedAt()).isEqualTo(T0);
  }

  @Test
  @DisplayName("a retry in progress is RUNNING with its attempt number and the last error")
  void retryInProgressIsRunning() {
    PendingAttempt pending = new PendingAttempt("load", 2, true, "exit code 2", "worker-2", T0);

    TaskState load = PendingAttempt.merge(running("load"), List.of(pending), false).get("load");

    assertThat(load.state()).isEqualTo(TaskPhase.RUNNING);
    assertThat(load.attempts()).isEqualTo(2);
    assertThat(load.error()).isEqualTo("exit code 2");
    assertThat(load.host()).isEqualTo("worker-2");
  }

  @Test
  @DisplayName("a task the run already reports finished keeps the run's answer")
  void finishedTaskKeepsRunsAnswer() {
    Map<String, TaskState> tasks = new LinkedHashMap<>();
    TaskState done = new TaskState(TaskPhase.SUCCEEDED, 2, "ok", null, T0, T0, "h");
    tasks.put("load", done);

    Map<String, TaskState> merged =
        PendingAttempt.merge(
            tasks, List.of(new PendingAttempt("load", 3, false, "x", "w", T0)), false);

    assertThat(merged.get("load")).isEqualTo(done);
  }

  @Test
  @DisplayName("unknown tasks are added only when the run's own state could not be read")
  void unknownTasksAddedOnlyWithoutState() {
    PendingAttempt pending = new PendingAttempt("extract", 1, true, null, "w", T0);

    assertThat(PendingAttempt.merge(Map.of(), List.of(pending), false)).isEmpty();
    assertThat(PendingAttempt.merge(Map.of(), List.of(pending), true).get("extract").state())
        .isEqualTo(TaskPhase.RUNNING);
  }

  @Test
  @DisplayName("between attempts reads from SCHEDULED, or from a start older than the last failure")
  void waitingForRetryIsRecognised() {
    PendingActivityInfo scheduled =
        PendingActivityInfo.newBuilder()
            .setAttempt(2)
            .setState(PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED)
            .build();
    // The Java test server keeps reporting STARTED between attempts.
    PendingActivityInfo staleStart =
        PendingActivityInfo.newBuilder()
            .setAttempt(2)
            .setState(PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)
            .setLastStartedTime(at(T0))
            .setLastAttemptCompleteTime(at(T0.plusSeconds(1)))
            .build();
    PendingActivityInfo restarted =
        staleStart.toBuilder().setLastStartedTime(at(T0.plusSeconds(5))).build();
    PendingActivityInfo firstAttempt = scheduled.toBuilder().setAttempt(1).build();

    assertThat(RunInspector.waitingForRetry(scheduled)).isTrue();
    assertThat(RunInspector.waitingForRetry(staleStart)).isTrue();
    assertThat(RunInspector.waitingForRetry(restarted)).isFalse();
    assertThat(RunInspector.waitingForRetry(firstAttempt)).isFalse();
  }

  private static Timestamp at(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).build();
  }
}
