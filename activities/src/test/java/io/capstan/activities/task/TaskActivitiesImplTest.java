package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.ShellRequest;
import io.capstan.workflows.task.SimulateRequest;
import io.capstan.workflows.task.TaskActivities;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskFailures;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The executors behind Temporal's activity machinery: contexts, heartbeats and failures. */
class TaskActivitiesImplTest {
  // Heartbeats reach Temporal, and cancellations come back, at most every 0.8 × this timeout.
  private static final ActivityOptions OPTIONS =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofMinutes(5))
          .setHeartbeatTimeout(Duration.ofSeconds(1))
          .build();

  private final TestActivityEnvironment env = TestActivityEnvironment.newInstance();

  private TaskActivities activities(boolean shellEnabled) {
    env.registerActivitiesImplementations(
        new TaskActivitiesImpl(
            new TaskActivitiesOptions(shellEnabled, "worker-7", null, Duration.ofMillis(20))));
    return env.newActivityStub(TaskActivities.class, OPTIONS);
  }

  private static TaskContext context(RetrySpec retry) {
    return new TaskContext("pipeline-team-a-etl-1", "extract", retry, "team-a");
  }

  @AfterEach
  void close() {
    env.close();
  }

  @Test
  @DisplayName("a simulated attempt reports its output, attempt number and host")
  void simulateReportsOutcome() {
    TaskOutcome outcome =
        activities(false)
            .simulate(
                new SimulateRequest(
                    context(RetrySpec.DEFAULT),
                    new SimulateSpec(Duration.ofMillis(100), "rows", null, null, null)));

    assertThat(outcome).isEqualTo(new TaskOutcome("rows", 1, "worker-7"));
  }

  @Test
  @DisplayName("a failure keeps its type, details and linear retry delay through Temporal")
  void failureSurvivesTheDataConverter() {
    RetrySpec linear = new RetrySpec(3, Backoff.LINEAR, null, null, null, Duration.ofSeconds(5));
    TaskActivities activities = activities(false);

    ActivityFailure failure =
        catchThrowableOfType(
            ActivityFailure.class,
            () ->
                activities.simulate(
                    new SimulateRequest(
                        context(linear), new SimulateSpec(Duration.ZERO, "", 1, null, null))));

    ApplicationFailure cause = (ApplicationFailure) failure.getCause();
    assertThat(cause.getType()).isEqualTo(TaskFailures.SIMULATED);
    assertThat(cause.getDetails().get(0, Integer.class)).isEqualTo(1);
    assertThat(cause.getDetails().get(1, String.class)).isEqualTo("worker-7");
    assertThat(cause.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  @DisplayName("a shell task on a worker without shell fails as ShellDisabled")
  void shellDisabledThroughTheStub() {
    TaskActivities activities = activities(false);

    ActivityFailure failure =
        catchThrowableOfType(
            ActivityFailure.class,
            () ->
                activities.shell(
                    new ShellRequest(
                        context(RetrySpec.DEFAULT),
                        new ShellSpec(List.of("echo", "hi"), List.of(), null))));

    ApplicationFailure cause = (ApplicationFailure) failure.getCause();
    assertThat(cause.getType()).isEqualTo(TaskFailures.SHELL_DISABLED);
    assertThat(cause.isNonRetryable()).isTrue();
  }

  @Test
  @DisplayName("canceling a long simulated task ends it promptly as canceled")
  void cancelLongSimulation() throws Exception {
    TaskActivities activities = activities(false);
    SimulateRequest hour =
        new SimulateRequest(
            context(RetrySpec.DEFAULT), new SimulateSpec(Duration.ofHours(1), "", 0, 0.0, null));

    assertCanceledPromptly(() -> activities.simulate(hour));
  }

  @Test
  @DisplayName("canceling a long shell task ends it promptly as canceled")
  void cancelLongShell() throws Exception {
    TaskActivities activities = activities(true);
    ShellRequest sleep =
        new ShellRequest(
            context(RetrySpec.DEFAULT), new ShellSpec(List.of("sleep", "60"), List.of(), null));

    assertCanceledPromptly(() -> activities.shell(sleep));
  }

  private void assertCanceledPromptly(Supplier<TaskOutcome> call) throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    env.setActivityHeartbeatListener(Long.class, elapsed -> running.countDown());
    CompletableFuture<TaskOutcome> attempt = CompletableFuture.supplyAsync(call);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();

    long start = System.nanoTime();
    env.requestCancelActivity();
    ExecutionException outcome =
        catchThrowableOfType(ExecutionException.class, () -> attempt.get(10, TimeUnit.SECONDS));

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(outcome).hasRootCauseInstanceOf(CanceledFailure.class);
  }
}
