package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.argv;
import static io.capstan.workflows.fake.TestDefinitions.failing;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.shell;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static io.capstan.workflows.fake.TestDefinitions.withRetry;
import static io.capstan.workflows.fake.TestDefinitions.withTimeout;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskOptions;
import io.temporal.api.common.v1.RetryPolicy;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A pipeline task retries and times out")
class PipelineRetryTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  /** Attempts run in real time for a few milliseconds, which the schedule may add. */
  static final long SLACK_MILLIS = 1_500;

  @BeforeEach
  void reset(TestWorkflowEnvironment environment) {
    FAKE.reset();
    FAKE.useClock(environment::currentTimeMillis);
  }

  @Test
  @DisplayName("with exponential backoff: initial, times multiplier, capped at max")
  void exponentialSchedule(WorkflowClient client, WorkflowOptions options) {
    RetrySpec retry =
        new RetrySpec(
            5, Backoff.EXPONENTIAL, Duration.ofSeconds(10), Duration.ofSeconds(30), 2.0, null);
    PipelineInput input = PipelineInput.of(pipeline(withRetry(failing("a", 4), retry)), Map.of());

    RunState state = Runs.result(Runs.startPipeline(client, options, input));

    assertThat(state.tasks().get("a").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(state.tasks().get("a").attempts()).isEqualTo(5);
    assertDelays(FAKE.attemptsOf("a"), 10, 20, 30, 30);
  }

  @Test
  @DisplayName("with linear backoff: interval times the attempt that failed")
  void linearSchedule(WorkflowClient client, WorkflowOptions options) {
    RetrySpec retry = new RetrySpec(4, Backoff.LINEAR, null, null, null, Duration.ofSeconds(60));
    PipelineInput input = PipelineInput.of(pipeline(withRetry(failing("a", 3), retry)), Map.of());

    RunState state = Runs.result(Runs.startPipeline(client, options, input));

    assertThat(state.tasks().get("a").attempts()).isEqualTo(4);
    assertDelays(FAKE.attemptsOf("a"), 60, 120, 180);
  }

  @Test
  @DisplayName("with fixed backoff: the same interval every time")
  void fixedSchedule(WorkflowClient client, WorkflowOptions options) {
    RetrySpec retry = new RetrySpec(3, Backoff.FIXED, null, null, null, Duration.ofSeconds(45));
    PipelineInput input = PipelineInput.of(pipeline(withRetry(failing("a", 2), retry)), Map.of());

    Runs.result(Runs.startPipeline(client, options, input));

    assertDelays(FAKE.attemptsOf("a"), 45, 45);
  }

  @Test
  @DisplayName("fails for good after maxAttempts, reporting attempts, error and host")
  void exhaustsAttempts(WorkflowClient client, WorkflowOptions options) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                withRetry(
                    failing("a", 10),
                    new RetrySpec(3, Backoff.FIXED, null, null, null, Duration.ofSeconds(1)))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    Runs.failure(run);

    TaskState a = run.status().tasks().get("a");
    assertThat(a.state()).isEqualTo(TaskPhase.FAILED);
    assertThat(a.attempts()).isEqualTo(3);
    assertThat(a.error()).isEqualTo("simulated failure on attempt 3");
    assertThat(a.host()).isEqualTo(FakeTaskActivities.HOST);
    assertThat(FAKE.attemptsOf("a")).hasSize(3);
  }

  @Test
  @DisplayName("does not retry failures no retry can fix, such as a worker without shell")
  void nonRetryableTypes(WorkflowClient client, WorkflowOptions options) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                withRetry(
                    shell("sh", argv("disabled")),
                    new RetrySpec(5, Backoff.FIXED, null, null, null, Duration.ofSeconds(1)))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    Runs.failure(run);

    TaskState sh = run.status().tasks().get("sh");
    assertThat(sh.state()).isEqualTo(TaskPhase.FAILED);
    assertThat(sh.attempts()).isEqualTo(1);
    assertThat(sh.error()).isEqualTo("this worker does not run shell tasks");
    assertThat(FAKE.attemptsOf("sh")).hasSize(1);
  }

  @Test
  @DisplayName("bounds each attempt by the task's timeout")
  void perAttemptTimeout(WorkflowClient client, WorkflowOptions options) {
    FAKE.gate("slow");
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                withTimeout(
                    withRetry(
                        task("slow", "never"),
                        new RetrySpec(2, Backoff.FIXED, null, null, null, Duration.ofSeconds(5))),
                    Duration.ofMillis(700))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    Runs.failure(run);

    TaskState slow = run.status().tasks().get("slow");
    assertThat(slow.state()).isEqualTo(TaskPhase.FAILED);
    assertThat(slow.attempts()).isEqualTo(2);
    assertThat(slow.error()).isEqualTo("timed out: an attempt ran longer than its 700ms timeout");
    assertThat(FAKE.attemptsOf("slow")).hasSize(2);
  }

  @Test
  @DisplayName("maps retry, defaults and timeouts onto the scheduled activities")
  void activityOptions(WorkflowClient client, WorkflowOptions options) {
    TaskDefaults defaults =
        new TaskDefaults(
            new RetrySpec(
                3, Backoff.EXPONENTIAL, Duration.ofSeconds(10), Duration.ofMinutes(5), 2.0, null),
            Duration.ofMinutes(20));
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    10,
                    OnFailure.STOP,
                    null,
                    defaults,
                    task("inherits", "1"),
                    withTimeout(
                        withRetry(
                            task("own", "2"),
                            new RetrySpec(
                                5, Backoff.LINEAR, null, null, null, Duration.ofSeconds(60))),
                        Duration.ofSeconds(20)))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    Runs.result(run);

    Map<String, ActivityTaskScheduledEventAttributes> scheduled = scheduledBySummary(client, run);

    ActivityTaskScheduledEventAttributes inherits = scheduled.get("task inherits");
    assertThat(seconds(inherits.getStartToCloseTimeout())).isEqualTo(20 * 60);
    assertThat(seconds(inherits.getHeartbeatTimeout()))
        .isEqualTo(TaskOptions.HEARTBEAT_TIMEOUT.toSeconds());
    RetryPolicy exponential = inherits.getRetryPolicy();
    assertThat(exponential.getMaximumAttempts()).isEqualTo(3);
    assertThat(seconds(exponential.getInitialInterval())).isEqualTo(10);
    assertThat(exponential.getBackoffCoefficient()).isEqualTo(2.0);
    assertThat(seconds(exponential.getMaximumInterval())).isEqualTo(300);
    assertThat(exponential.getNonRetryableErrorTypesList())
        .containsExactlyInAnyOrder(
            TaskFailures.SHELL_DISABLED, TaskFailures.SHELL_START, TaskFailures.INVALID);

    ActivityTaskScheduledEventAttributes own = scheduled.get("task own");
    assertThat(seconds(own.getStartToCloseTimeout())).isEqualTo(20);
    assertThat(own.hasHeartbeatTimeout() && seconds(own.getHeartbeatTimeout()) > 0).isFalse();
    RetryPolicy linear = own.getRetryPolicy();
    assertThat(linear.getMaximumAttempts()).isEqualTo(5);
    assertThat(seconds(linear.getInitialInterval())).isEqualTo(60);
    assertThat(linear.getBackoffCoefficient()).isEqualTo(1.0);
  }

  @Test
  @DisplayName("runs each attempt for at most one hour when no timeout is set")
  void defaultTimeout(WorkflowClient client, WorkflowOptions options) {
    PipelineWorkflow run =
        Runs.startPipeline(client, options, PipelineInput.of(pipeline(task("a", "1")), Map.of()));
    Runs.result(run);

    ActivityTaskScheduledEventAttributes a = scheduledBySummary(client, run).get("task a");

    assertThat(seconds(a.getStartToCloseTimeout())).isEqualTo(3600);
    assertThat(a.getRetryPolicy().getMaximumAttempts()).isEqualTo(1);
  }

  private static void assertDelays(List<FakeTaskActivities.Attempt> attempts, long... seconds) {
    assertThat(attempts).hasSize(seconds.length + 1);
    for (int i = 0; i < seconds.length; i++) {
      long delay = attempts.get(i + 1).startedAtMillis() - attempts.get(i).startedAtMillis();
      assertThat(delay)
          .as("delay before attempt %d", i + 2)
          .isBetween(seconds[i] * 1000, seconds[i] * 1000 + SLACK_MILLIS);
    }
  }

  private static Map<String, ActivityTaskScheduledEventAttributes> scheduledBySummary(
      WorkflowClient client, PipelineWorkflow run) {
    String workflowId = WorkflowStub.fromTyped(run).getExecution().getWorkflowId();
    Map<String, ActivityTaskScheduledEventAttributes> scheduled = new HashMap<>();
    for (HistoryEvent event : client.fetchHistory(workflowId).getEvents()) {
      if (event.hasActivityTaskScheduledEventAttributes()) {
        String summary =
            DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                event.getUserMetadata().getSummary(), String.class, String.class);
        scheduled.put(summary, event.getActivityTaskScheduledEventAttributes());
      }
    }
    return scheduled;
  }

  private static long seconds(com.google.protobuf.Duration duration) {
    return duration.getSeconds();
  }
}
