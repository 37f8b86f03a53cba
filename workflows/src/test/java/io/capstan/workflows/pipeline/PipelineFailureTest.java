package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.failing;
import static io.capstan.workflows.fake.TestDefinitions.gpu;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static io.capstan.workflows.fake.TestDefinitions.withRetry;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A pipeline that meets failure, its timeout or cancellation")
class PipelineFailureTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  /**
   * {@code bad} fails at once while {@code slow} runs; {@code later} waits for a free slot (the
   * parallelism is 2); {@code after-bad} and {@code join} descend from {@code bad}.
   */
  private static PipelineInput diamond(OnFailure onFailure) {
    return PipelineInput.of(
        pipeline(
            spec(
                Map.of(),
                2,
                onFailure,
                null,
                null,
                failing("bad", 1),
                task("slow", "s"),
                task("later", "l"),
                task("after-bad", "x", "bad"),
                task("join", "j", "after-bad", "slow"))),
        Map.of());
  }

  @Test
  @DisplayName("with onFailure stop: starts nothing new, lets running tasks finish, then fails")
  void stop(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    CountDownLatch slow = FAKE.gate("slow");
    PipelineWorkflow run = Runs.startPipeline(client, options, diamond(OnFailure.STOP));
    FAKE.awaitStarted("slow");
    Runs.awaitTask(run::status, "bad", TaskPhase.FAILED);
    slow.countDown();

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.FAILED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo("task failed: 'bad': simulated failure on attempt 1");
    Map<String, TaskState> tasks = run.status().tasks();
    assertThat(tasks.get("slow").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(tasks.get("later").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(tasks.get("later").error())
        .isEqualTo("skipped: the pipeline stopped after 'bad' failed (onFailure: stop)");
    assertThat(tasks.get("after-bad").error()).isEqualTo("skipped: ancestor 'bad' failed");
    assertThat(tasks.get("join").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(FAKE.hasStarted("later")).isFalse();
    assertThat(run.status().phase()).isEqualTo(RunPhase.FAILED);
    assertThat(run.status().progress().done()).isEqualTo(5);
  }

  @Test
  @DisplayName("with onFailure continue: independent branches go on, descendants are SKIPPED")
  void continueOnFailure(WorkflowClient client, WorkflowOptions options) {
    PipelineWorkflow run = Runs.startPipeline(client, options, diamond(OnFailure.CONTINUE));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.FAILED);
    assertThat(failure.getDetails().get(0, List.class)).containsExactly("bad");
    Map<String, TaskState> tasks = run.status().tasks();
    assertThat(tasks.get("bad").state()).isEqualTo(TaskPhase.FAILED);
    assertThat(tasks.get("slow").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(tasks.get("later").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(tasks.get("after-bad").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(tasks.get("join").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(tasks.get("join").error()).isEqualTo("skipped: ancestor 'bad' failed");
    assertThat(FAKE.hasStarted("after-bad")).isFalse();
    assertThat(FAKE.hasStarted("join")).isFalse();
  }

  @Test
  @DisplayName("cancels a task in its retry backoff when the run times out, and fails timed out")
  void runTimeout(WorkflowClient client, WorkflowOptions options) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    10,
                    OnFailure.STOP,
                    Duration.ofMinutes(90),
                    null,
                    withRetry(
                        failing("flaky", 10),
                        new RetrySpec(5, Backoff.FIXED, null, null, null, Duration.ofHours(1))),
                    task("next", "n", "flaky"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.TIMED_OUT);
    assertThat(failure.getOriginalMessage()).isEqualTo("pipeline timed out after 1h30m");
    RunState state = run.status();
    TaskState flaky = state.tasks().get("flaky");
    assertThat(Duration.between(flaky.startedAt(), flaky.finishedAt()))
        .isBetween(Duration.ofMinutes(90), Duration.ofMinutes(91));
    assertThat(state.phase()).isEqualTo(RunPhase.FAILED);
    assertThat(state.tasks().get("flaky").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("flaky").error())
        .isEqualTo("canceled: pipeline timed out after 1h30m");
    assertThat(state.tasks().get("next").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("next").error())
        .isEqualTo("not started: pipeline timed out after 1h30m");
    assertThat(FAKE.attemptsOf("flaky")).hasSize(2);
  }

  @Test
  @DisplayName("cancels a running task at the run timeout and waits until it has stopped")
  void runTimeoutCancelsRunningTask(WorkflowClient client, WorkflowOptions options) {
    FAKE.gate("stuck");
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    10,
                    OnFailure.STOP,
                    Duration.ofMillis(800),
                    null,
                    task("stuck", "never"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.TIMED_OUT);
    assertThat(run.status().tasks().get("stuck").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(FAKE.stopped()).containsExactly("stuck");
  }

  @Test
  @DisplayName("when canceled: cancels running tasks, marks the rest CANCELED, ends canceled")
  void cancel(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    FAKE.gate("running");
    PipelineWorkflow run =
        Runs.startPipeline(
            client,
            options,
            PipelineInput.of(
                pipeline(task("running", "r"), task("waiting", "w", "running")), Map.of()));
    FAKE.awaitStarted("running");
    WorkflowStub stub = WorkflowStub.fromTyped(run);

    stub.cancel();

    WorkflowFailedException ended =
        catchThrowableOfType(WorkflowFailedException.class, () -> Runs.result(run));
    assertThat(ended.getCause()).isInstanceOf(CanceledFailure.class);
    assertThat(stub.describe().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    assertThat(FAKE.stopped()).containsExactly("running");
    RunState state = run.status();
    assertThat(state.phase()).isEqualTo(RunPhase.CANCELED);
    assertThat(state.tasks().get("running").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("running").error()).isEqualTo("canceled: run canceled");
    assertThat(state.tasks().get("waiting").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("waiting").error()).isEqualTo("not started: run canceled");
  }

  @Test
  @DisplayName("fails a gpu task at once when no GPU fleet runs, saying how to start one")
  void gpuTask(WorkflowClient client, WorkflowOptions options) {
    PipelineWorkflow run =
        Runs.startPipeline(client, options, PipelineInput.of(pipeline(gpu("g")), Map.of()));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getOriginalMessage())
        .startsWith("task failed: 'g': no GPU fleet is running")
        .contains("capstan worker --role gpu");
    TaskState g = run.status().tasks().get("g");
    assertThat(g.state()).isEqualTo(TaskPhase.FAILED);
    assertThat(g.attempts()).isZero();
  }
}
