package io.capstan.workflows.job;

import static io.capstan.workflows.fake.TestDefinitions.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.ContainerSpec;
import io.capstan.definitions.executor.GpuOp;
import io.capstan.definitions.executor.GpuSpec;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.job.JobSpec;
import io.capstan.definitions.job.RestartPolicy;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A job")
class JobWorkflowTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset(TestWorkflowEnvironment environment) {
    FAKE.reset();
    FAKE.useClock(environment::currentTimeMillis);
  }

  private static JobInput simulate(
      int failAttempts, RestartPolicy restart, JobParallelism parallelism) {
    JobSpec spec =
        new JobSpec(
            Map.of("size", "large"),
            new SimulateSpec(null, "done-#{params.size}", failAttempts, null, null),
            null,
            null,
            null,
            restart,
            null,
            null,
            parallelism);
    return JobInput.of(job(spec), Map.of());
  }

  private static JobParallelism parallel(
      int completions, int maxConcurrent, CompletionStrategy strategy) {
    return new JobParallelism(completions, maxConcurrent, strategy);
  }

  @Test
  @DisplayName("of one completion runs it as task 'main', restarting it as its policy says")
  void restartPolicy(WorkflowClient client, WorkflowOptions options) {
    RestartPolicy restart =
        new RestartPolicy(2, Backoff.FIXED, null, null, null, Duration.ofSeconds(30));

    RunState state = Runs.result(Runs.startJob(client, options, simulate(2, restart, null)));

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks()).containsOnlyKeys(JobWorkflowImpl.SINGLE_TASK);
    TaskState main = state.tasks().get("main");
    assertThat(main.attempts()).isEqualTo(3);
    assertThat(main.output()).isEqualTo("done-large");
    assertThat(FAKE.context("main").namespace()).isEqualTo("team-a");
    List<FakeTaskActivities.Attempt> attempts = FAKE.attemptsOf("main");
    assertThat(attempts).hasSize(3);
    for (int i = 1; i < attempts.size(); i++) {
      assertThat(attempts.get(i).startedAtMillis() - attempts.get(i - 1).startedAtMillis())
          .isBetween(30_000L, 31_500L);
    }
  }

  private static JobInput withTimeout(JobInput input, Duration timeout) {
    JobSpec s = input.definition().spec();
    JobSpec timed =
        new JobSpec(
            s.params(),
            s.simulate(),
            s.shell(),
            s.container(),
            s.gpu(),
            s.restartPolicy(),
            timeout,
            s.schedule(),
            s.parallelism());
    return JobInput.of(job(timed), Map.of());
  }

  @Test
  @DisplayName(
      "times out as a whole, retries included: a completion in its restart backoff is canceled at"
          + " the deadline and the job fails JobTimedOut")
  void timeoutBoundsTheWholeJob(WorkflowClient client, WorkflowOptions options) {
    RestartPolicy restart =
        new RestartPolicy(5, Backoff.FIXED, null, null, null, Duration.ofHours(1));
    JobWorkflow run =
        Runs.startJob(
            client, options, withTimeout(simulate(10, restart, null), Duration.ofMinutes(90)));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(JobWorkflowImpl.TIMED_OUT);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).isEqualTo("job timed out after 1h30m");
    RunState state = run.status();
    assertThat(state.phase()).isEqualTo(RunPhase.FAILED);
    TaskState main = state.tasks().get("main");
    assertThat(main.state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(main.error()).isEqualTo("canceled: job timed out after 1h30m");
    assertThat(Duration.between(main.startedAt(), main.finishedAt()))
        .as("ended at the deadline, not after its six attempts")
        .isBetween(Duration.ofMinutes(90), Duration.ofMinutes(91));
    assertThat(FAKE.attemptsOf("main")).as("attempts at 0 and 1h; none at 2h").hasSize(2);
  }

  @Test
  @DisplayName(
      "at its timeout cancels running completions, skips those never started, and stops their work")
  void timeoutCancelsRunningCompletions(WorkflowClient client, WorkflowOptions options) {
    FAKE.gate("completion-1");
    FAKE.gate("completion-2");
    JobWorkflow run =
        Runs.startJob(
            client,
            options,
            withTimeout(
                simulate(0, null, parallel(3, 2, CompletionStrategy.AllSuccessful)),
                Duration.ofSeconds(2)));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(JobWorkflowImpl.TIMED_OUT);
    Map<String, TaskState> tasks = run.status().tasks();
    assertThat(tasks.get("completion-1").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(tasks.get("completion-2").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(tasks.get("completion-3").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(tasks.get("completion-3").error()).isEqualTo("skipped: job timed out after 2s");
    assertThat(FAKE.stopped()).containsExactlyInAnyOrder("completion-1", "completion-2");
  }

  @Test
  @DisplayName("that finishes before its timeout succeeds, the deadline timer left unfired")
  void finishesWithinTimeout(WorkflowClient client, WorkflowOptions options) {
    RunState state =
        Runs.result(
            Runs.startJob(
                client, options, withTimeout(simulate(0, null, null), Duration.ofMinutes(5))));

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks().get("main").state()).isEqualTo(TaskPhase.SUCCEEDED);
  }

  @Test
  @DisplayName("fails with JobFailed once the restart policy is spent")
  void restartsSpent(WorkflowClient client, WorkflowOptions options) {
    RestartPolicy restart =
        new RestartPolicy(1, Backoff.FIXED, null, null, null, Duration.ofSeconds(5));
    JobWorkflow run = Runs.startJob(client, options, simulate(5, restart, null));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(JobWorkflowImpl.FAILED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo("main failed: simulated failure on attempt 2");
    assertThat(run.status().tasks().get("main").attempts()).isEqualTo(2);
    assertThat(run.status().phase()).isEqualTo(RunPhase.FAILED);
  }

  @Test
  @DisplayName("with AllSuccessful runs every completion, never more than maxConcurrent at once")
  void allSuccessful(WorkflowClient client, WorkflowOptions options) {
    FAKE.holdEachAttempt(Duration.ofMillis(500));

    RunState state =
        Runs.result(
            Runs.startJob(
                client,
                options,
                simulate(0, null, parallel(5, 2, CompletionStrategy.AllSuccessful))));

    assertThat(state.tasks().keySet())
        .containsExactly(
            "completion-1", "completion-2", "completion-3", "completion-4", "completion-5");
    assertThat(state.tasks().values())
        .extracting(TaskState::state)
        .containsOnly(TaskPhase.SUCCEEDED);
    assertThat(FAKE.maxConcurrent()).isEqualTo(2);
  }

  @Test
  @DisplayName("with AllSuccessful fails once a completion fails, canceling the others")
  void allSuccessfulFails(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    FAKE.gate("completion-1");
    FAKE.gate("completion-2");
    JobWorkflow run =
        Runs.startJob(
            client, options, simulate(0, null, parallel(4, 2, CompletionStrategy.AllSuccessful)));
    FAKE.awaitStarted("completion-1");
    FAKE.breakTask("completion-2");
    FAKE.gate("completion-2").countDown();

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(JobWorkflowImpl.FAILED);
    assertThat(failure.getOriginalMessage())
        .isEqualTo("completion-2 failed: simulated failure on attempt 1");
    Map<String, TaskState> tasks = run.status().tasks();
    assertThat(tasks.get("completion-1").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(tasks.get("completion-1").error()).isEqualTo("canceled: completion-2 failed");
    assertThat(tasks.get("completion-2").state()).isEqualTo(TaskPhase.FAILED);
    assertThat(tasks.get("completion-3").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(tasks.get("completion-4").error()).isEqualTo("skipped: completion-2 failed");
    assertThat(FAKE.stopped()).containsExactly("completion-1");
  }

  @Test
  @DisplayName("with AnySuccessful succeeds with the first success and cancels the rest")
  void anySuccessful(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    FAKE.gate("completion-2");
    FAKE.gate("completion-3");
    JobWorkflow run =
        Runs.startJob(
            client, options, simulate(0, null, parallel(3, 3, CompletionStrategy.AnySuccessful)));

    RunState state = Runs.result(run);

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks().get("completion-1").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(state.tasks().get("completion-2").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("completion-3").error())
        .isEqualTo("canceled: completion-1 succeeded first");
  }

  @Test
  @DisplayName("with AnySuccessful tries further completions after a failure")
  void anySuccessfulAfterFailure(WorkflowClient client, WorkflowOptions options) {
    FAKE.breakTask("completion-1");

    RunState state =
        Runs.result(
            Runs.startJob(
                client,
                options,
                simulate(0, null, parallel(3, 1, CompletionStrategy.AnySuccessful))));

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks().get("completion-1").state()).isEqualTo(TaskPhase.FAILED);
    assertThat(state.tasks().get("completion-2").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(state.tasks().get("completion-3").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(state.tasks().get("completion-3").error())
        .isEqualTo("not needed: completion-2 succeeded");
    assertThat(FAKE.hasStarted("completion-3")).isFalse();
  }

  @Test
  @DisplayName("with AnySuccessful fails only when every completion failed")
  void anySuccessfulFails(WorkflowClient client, WorkflowOptions options) {
    JobWorkflow run =
        Runs.startJob(
            client, options, simulate(9, null, parallel(3, 2, CompletionStrategy.AnySuccessful)));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(JobWorkflowImpl.FAILED);
    // Which completion fails last is a matter of timing: completion-3 starts after one of the
    // first two has failed, but all three fail at once on a crowded machine.
    assertThat(failure.getOriginalMessage())
        .matches(
            "all 3 completions failed; the last, completion-[123]: simulated failure on attempt 1");
    assertThat(run.status().tasks().values())
        .extracting(TaskState::state)
        .containsOnly(TaskPhase.FAILED);
  }

  @Test
  @DisplayName(
      "with a gpu executor and no GPU fleet fails at once, non-retryably, saying how to get one")
  void gpuRefused(WorkflowClient client, WorkflowOptions options) {
    JobSpec spec =
        new JobSpec(
            null,
            null,
            null,
            null,
            new GpuSpec(1, GpuOp.INVENTORY, null, null, null),
            new RestartPolicy(3, null, null, null, null, null),
            null,
            null,
            null);
    JobWorkflow run = Runs.startJob(client, options, JobInput.of(job(spec), Map.of()));

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(JobWorkflowImpl.FAILED);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .startsWith("main failed: no GPU fleet is running: no GPU host has registered")
        .contains("capstan worker --role gpu");
    assertThat(run.status().tasks().get("main").attempts()).isZero();
    assertThat(FAKE.attempts()).isEmpty();
  }

  @Test
  @DisplayName("with a container executor runs each completion as a container attempt")
  void containerCompletions(WorkflowClient client, WorkflowOptions options) {
    JobSpec spec =
        new JobSpec(
            null,
            null,
            null,
            new ContainerSpec(
                "busybox:1.36",
                List.of("true"),
                null,
                null,
                null,
                null,
                null,
                new ContainerSimulation(null, null, null, "part", null)),
            null,
            null,
            null,
            null,
            new JobParallelism(3, 2, CompletionStrategy.AllSuccessful));
    JobWorkflow run = Runs.startJob(client, options, JobInput.of(job(spec), Map.of()));

    Runs.result(run);

    assertThat(run.status().tasks().values())
        .extracting(TaskState::state)
        .containsOnly(TaskPhase.SUCCEEDED)
        .hasSize(3);
    assertThat(FAKE.attempts()).hasSize(3);
  }

  @Test
  @DisplayName("when canceled cancels its running completions and ends canceled")
  void cancel(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    FAKE.gate("completion-1");
    JobWorkflow run =
        Runs.startJob(
            client, options, simulate(0, null, parallel(2, 1, CompletionStrategy.AllSuccessful)));
    FAKE.awaitStarted("completion-1");

    WorkflowStub.fromTyped(run).cancel();

    WorkflowFailedException ended =
        catchThrowableOfType(WorkflowFailedException.class, () -> Runs.result(run));
    assertThat(ended.getCause()).isInstanceOf(CanceledFailure.class);
    RunState state = run.status();
    assertThat(state.phase()).isEqualTo(RunPhase.CANCELED);
    assertThat(state.tasks().get("completion-1").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("completion-2").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("completion-2").error()).isEqualTo("not started: run canceled");
    assertThat(FAKE.stopped()).containsExactly("completion-1");
  }
}
