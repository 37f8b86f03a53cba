package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.argv;
import static io.capstan.workflows.fake.TestDefinitions.chain;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.shell;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A failed pipeline task retried in place")
class PipelineRetryInPlaceTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  /**
   * {@code bad} fails for good while {@code slow} is held; {@code later} becomes ready only when
   * {@code slow} ends; {@code after-bad} descends from {@code bad}.
   */
  private static PipelineInput branches(OnFailure onFailure) {
    return PipelineInput.of(
        pipeline(
            spec(
                Map.of(),
                4,
                onFailure,
                null,
                null,
                task("extract", "rows"),
                task("bad", "b-#{extract.output}", "extract"),
                task("after-bad", "x", "bad"),
                task("slow", "s"),
                task("later", "l", "slow"))),
        Map.of());
  }

  @Test
  @DisplayName("with onFailure pause: waits, starts nothing new, and completes after retryTask")
  void pauseWaitsForRetry(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    FAKE.breakTask("bad");
    CountDownLatch slow = FAKE.gate("slow");
    PipelineWorkflow run = Runs.startPipeline(client, options, branches(OnFailure.PAUSE));
    Runs.awaitTask(run::status, "bad", TaskPhase.FAILED);

    RunState failedWhileRunning = Runs.awaitPhase(run::status, RunPhase.WAITING);
    assertThat(failedWhileRunning.tasks().get("slow").state()).isEqualTo(TaskPhase.RUNNING);
    assertThat(failedWhileRunning.tasks().get("after-bad").state()).isEqualTo(TaskPhase.SKIPPED);

    slow.countDown();
    Runs.awaitTask(run::status, "slow", TaskPhase.SUCCEEDED);
    RunState waiting = run.status();
    assertThat(waiting.phase()).isEqualTo(RunPhase.WAITING);
    assertThat(waiting.tasks().get("later").state()).isEqualTo(TaskPhase.PENDING);
    assertThat(FAKE.hasStarted("later")).isFalse();

    FAKE.repairTask("bad");
    RetryTaskResult retried = run.retryTask(new RetryTaskRequest("bad", null));
    RunState done = Runs.result(run);

    assertThat(retried).isEqualTo(new RetryTaskResult("bad", List.of("bad", "after-bad")));
    assertThat(done.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(done.tasks().values())
        .extracting(TaskState::state)
        .containsOnly(TaskPhase.SUCCEEDED);
    assertThat(done.tasks().get("bad").output()).isEqualTo("b-rows");
    assertThat(FAKE.attemptsOf("bad")).hasSize(2);
    for (String once : List.of("extract", "slow", "after-bad", "later")) {
      assertThat(FAKE.attemptsOf(once)).as("attempts of %s", once).hasSize(1);
    }
  }

  @Test
  @DisplayName("renders the retried task and those after it with the params the retry gives")
  void retryWithParams(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("mode", "exit", "region", "eu"),
                    4,
                    OnFailure.PAUSE,
                    null,
                    null,
                    task("before", "ran with #{params.mode}"),
                    shell("deploy", argv("#{params.mode}", "3"), "before"),
                    task("report", "#{params.mode} in #{params.region}", "deploy"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    Runs.awaitPhase(run::status, RunPhase.WAITING);
    assertThat(run.status().tasks().get("deploy").error()).isEqualTo("exit code 3");

    run.retryTask(new RetryTaskRequest("deploy", Map.of("mode", "echo")));
    RunState done = Runs.result(run);

    assertThat(FAKE.command("deploy")).containsExactly("echo", "3");
    assertThat(done.tasks().get("deploy").output()).isEqualTo("echo 3");
    assertThat(done.tasks().get("report").output()).isEqualTo("echo in eu");
    assertThat(done.tasks().get("before").output()).isEqualTo("ran with exit");
    assertThat(FAKE.attemptsOf("before")).hasSize(1);
  }

  @Test
  @DisplayName("refuses, without a trace in the history, to retry a task that is not FAILED")
  void refusesWhatCannotBeRetried(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    FAKE.breakTask("bad");
    CountDownLatch bad = FAKE.gate("bad");
    PipelineWorkflow run = Runs.startPipeline(client, options, branches(OnFailure.PAUSE));
    // The independent branch finishes first, so that only the failure's own branch is held.
    Runs.awaitTask(run::status, "later", TaskPhase.SUCCEEDED);
    bad.countDown();
    Runs.awaitPhase(run::status, RunPhase.WAITING);

    assertThat(refusal(run, new RetryTaskRequest("extract", null)))
        .isEqualTo("task 'extract' is SUCCEEDED, not FAILED: only a FAILED task can be retried");
    assertThat(refusal(run, new RetryTaskRequest("lod", null)))
        .isEqualTo(
            "unknown task 'lod': the pipeline's tasks are 'extract', 'bad', 'after-bad', 'slow'"
                + " and 'later'");
    assertThat(refusal(run, new RetryTaskRequest("after-bad", null)))
        .isEqualTo(
            "task 'after-bad' is SKIPPED, not FAILED: only a FAILED task can be retried;"
                + " retrying 'bad' runs it again too");
    assertThat(refusal(run, new RetryTaskRequest("bad", Map.of("colour", "red"))))
        .isEqualTo("unknown param 'colour': the run has no params");

    assertThat(updateEvents(client, run)).isEmpty();
    assertThat(run.status().phase()).isEqualTo(RunPhase.WAITING);
    assertThat(FAKE.attemptsOf("bad")).hasSize(1);
    run.abort();
    assertThat(Runs.failure(run).getType()).isEqualTo(PipelineWorkflowImpl.FAILED);
  }

  @Test
  @DisplayName("when aborted while waiting: skips what has not started and fails as stop would")
  void abort(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    FAKE.breakTask("bad");
    CountDownLatch slow = FAKE.gate("slow");
    PipelineWorkflow run = Runs.startPipeline(client, options, branches(OnFailure.PAUSE));
    Runs.awaitPhase(run::status, RunPhase.WAITING);

    run.abort();
    Runs.awaitTask(run::status, "later", TaskPhase.SKIPPED);
    String refused = refusal(run, new RetryTaskRequest("bad", null));
    slow.countDown();
    ApplicationFailure failure = Runs.failure(run);

    assertThat(refused)
        .isEqualTo("the run was aborted; it fails once its running tasks have finished");
    assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.FAILED);
    assertThat(failure.getOriginalMessage())
        .isEqualTo("task failed: 'bad': simulated failure on attempt 1");
    RunState state = run.status();
    assertThat(state.phase()).isEqualTo(RunPhase.FAILED);
    assertThat(state.tasks().get("slow").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(state.tasks().get("later").error())
        .isEqualTo("skipped: the pipeline was aborted after 'bad' failed");
    assertThat(FAKE.hasStarted("later")).isFalse();
  }

  @Test
  @DisplayName("ignores abort on a run that does not wait after a failure")
  void abortIgnoredWhenNotWaiting(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    CountDownLatch slow = FAKE.gate("slow");
    PipelineWorkflow run = Runs.startPipeline(client, options, branches(OnFailure.PAUSE));
    FAKE.awaitStarted("slow");

    run.abort();
    slow.countDown();

    assertThat(Runs.result(run).phase()).isEqualTo(RunPhase.SUCCEEDED);
  }

  @Test
  @DisplayName("with onFailure continue: runs the retried task beside the branches still running")
  void continueRetriesBesideRunningBranches(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    FAKE.breakTask("bad");
    CountDownLatch slow = FAKE.gate("slow");
    PipelineWorkflow run = Runs.startPipeline(client, options, branches(OnFailure.CONTINUE));
    Runs.awaitTask(run::status, "after-bad", TaskPhase.SKIPPED);
    assertThat(run.status().phase()).isEqualTo(RunPhase.RUNNING);

    FAKE.repairTask("bad");
    RetryTaskResult retried = run.retryTask(new RetryTaskRequest("bad", null));
    Runs.awaitTask(run::status, "after-bad", TaskPhase.SUCCEEDED);
    assertThat(run.status().tasks().get("slow").state()).isEqualTo(TaskPhase.RUNNING);
    slow.countDown();
    RunState done = Runs.result(run);

    assertThat(retried.reset()).containsExactly("bad", "after-bad");
    assertThat(done.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(FAKE.attemptsOf("bad")).hasSize(2);
    assertThat(FAKE.attemptsOf("extract")).hasSize(1);
    assertThat(FAKE.attemptsOf("slow")).hasSize(1);
  }

  @Test
  @DisplayName("with onFailure stop: a retry before the run ends lifts the stop it caused")
  void stopIsLiftedByRetry(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    FAKE.breakTask("bad");
    CountDownLatch slow = FAKE.gate("slow");
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    2,
                    OnFailure.STOP,
                    null,
                    null,
                    task("bad", "b"),
                    task("slow", "s"),
                    task("later", "l"),
                    task("after-bad", "x", "bad"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    Runs.awaitTask(run::status, "later", TaskPhase.SKIPPED);

    FAKE.repairTask("bad");
    RetryTaskResult retried = run.retryTask(new RetryTaskRequest("bad", null));
    slow.countDown();
    RunState done = Runs.result(run);

    assertThat(retried.reset()).containsExactly("bad", "later", "after-bad");
    assertThat(done.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(done.tasks().values())
        .extracting(TaskState::state)
        .containsOnly(TaskPhase.SUCCEEDED);
  }

  @Test
  @DisplayName("waits on a failure carried over from the previous execution, and retries it")
  void waitsOnCarriedFailure(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    Instant earlier = Instant.parse("2030-01-01T00:00:00Z");
    PipelineInput input =
        new PipelineInput(
            branches(OnFailure.PAUSE).definition(),
            Map.of(),
            new PipelineCarry(
                Map.of(
                    "extract",
                    new TaskState(TaskPhase.SUCCEEDED, 1, "rows", null, earlier, earlier, "h"),
                    "bad",
                    new TaskState(TaskPhase.FAILED, 1, null, "boom", earlier, earlier, "h"),
                    "after-bad",
                    new TaskState(TaskPhase.SKIPPED, 0, null, "skipped", null, earlier, null)),
                false,
                1));
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    Runs.awaitPhase(run::status, RunPhase.WAITING);
    Thread.sleep(200);
    assertThat(FAKE.attempts()).isEmpty();

    run.retryTask(new RetryTaskRequest("bad", null));
    RunState done = Runs.result(run);

    assertThat(done.tasks().get("bad").output()).isEqualTo("b-rows");
    assertThat(FAKE.attempts())
        .extracting(FakeTaskActivities.Attempt::task)
        .containsExactlyInAnyOrder("bad", "after-bad", "slow", "later");
  }

  @Test
  @DisplayName("keeps a retry's reset and params across a continue-as-new")
  void retryOutlivesContinueAsNew(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    int length = 1_000;
    List<TaskSpec> tasks = new ArrayList<>(chain(length));
    tasks.add(task("bad", "b"));
    tasks.add(task("report", "mode #{params.mode}", "bad", "t" + (length - 1)));
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("mode", "first"),
                    10,
                    OnFailure.CONTINUE,
                    null,
                    null,
                    tasks.toArray(TaskSpec[]::new))),
            Map.of());
    FAKE.breakTask("bad");
    CountDownLatch first = FAKE.gate("t0");
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    Runs.awaitTask(run::status, "report", TaskPhase.SKIPPED);

    FAKE.repairTask("bad");
    run.retryTask(new RetryTaskRequest("bad", Map.of("mode", "second")));
    first.countDown();
    RunState done = Runs.result(run);

    assertThat(executions(client, run)).isGreaterThan(1);
    assertThat(done.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(done.tasks().get("report").output()).isEqualTo("mode second");
    assertThat(FAKE.attemptsOf("bad")).hasSize(2);
    assertThat(FAKE.attempts()).hasSize(length + 3);
  }

  /** The message of the validator's refusal of {@code request}. */
  private static String refusal(PipelineWorkflow run, RetryTaskRequest request) {
    WorkflowUpdateException refused =
        catchThrowableOfType(WorkflowUpdateException.class, () -> run.retryTask(request));
    assertThat(refused).as("the update should be refused").isNotNull();
    assertThat(refused.getCause()).isInstanceOf(ApplicationFailure.class);
    return ((ApplicationFailure) refused.getCause()).getOriginalMessage();
  }

  private static List<EventType> updateEvents(WorkflowClient client, PipelineWorkflow run) {
    String workflowId = WorkflowStub.fromTyped(run).getExecution().getWorkflowId();
    return client.fetchHistory(workflowId).getEvents().stream()
        .map(HistoryEvent::getEventType)
        .filter(type -> type.name().contains("UPDATE"))
        .toList();
  }

  /** How many executions the run's continue-as-new chain had. */
  private static int executions(WorkflowClient client, PipelineWorkflow run) {
    String workflowId = WorkflowStub.fromTyped(run).getExecution().getWorkflowId();
    String runId = WorkflowStub.fromTyped(run).getExecution().getRunId();
    int count = 0;
    while (runId != null) {
      count++;
      List<HistoryEvent> events = client.fetchHistory(workflowId, runId).getEvents();
      HistoryEvent last = events.get(events.size() - 1);
      runId =
          last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    return count;
  }
}
