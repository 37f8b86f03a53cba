package io.capstan.activities.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.workflows.task.SimulateRequest;
import io.capstan.workflows.task.TaskActivities;
import io.capstan.workflows.task.TaskContext;
import io.capstan.workflows.task.TaskOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Linear backoff is the activity's job: the workflow's {@code RetryOptions} say "every {@code
 * interval}" and each failure asks for {@code interval × attempt} instead. This checks, on the
 * time-skipping test server, that the server really waits that long.
 */
class LinearRetryScheduleTest {
  private static final String QUEUE = "linear-retry";
  private static final Duration INTERVAL = Duration.ofSeconds(10);

  @WorkflowInterface
  public interface RetryProbe {
    /** Runs one task that fails its first three attempts; returns how long it took, in ms. */
    @WorkflowMethod
    long run();
  }

  public static class RetryProbeImpl implements RetryProbe {
    private final TaskActivities tasks =
        Workflow.newActivityStub(
            TaskActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(5))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(INTERVAL)
                        .setBackoffCoefficient(1.0)
                        .setMaximumInterval(INTERVAL)
                        .setMaximumAttempts(4)
                        .build())
                .build());

    @Override
    public long run() {
      long start = Workflow.currentTimeMillis();
      RetrySpec linear = new RetrySpec(4, Backoff.LINEAR, null, null, null, INTERVAL);
      TaskOutcome outcome =
          tasks.simulate(
              new SimulateRequest(
                  new TaskContext("probe", "flaky", linear, "team-a"),
                  new SimulateSpec(Duration.ZERO, "ok", 3, null, null)));
      if (outcome.attempt() != 4) {
        throw new IllegalStateException("expected attempt 4, got " + outcome.attempt());
      }
      return Workflow.currentTimeMillis() - start;
    }
  }

  private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();

  @AfterEach
  void close() {
    env.close();
  }

  @Test
  @DisplayName("linear backoff waits interval, 2 × interval, 3 × interval between attempts")
  void retriesGrowLinearly() {
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(RetryProbeImpl.class);
    worker.registerActivitiesImplementations(
        new TaskActivitiesImpl(TaskActivitiesOptions.of(false)));
    env.start();

    long elapsed =
        env.getWorkflowClient()
            .newWorkflowStub(
                RetryProbe.class, WorkflowOptions.newBuilder().setTaskQueue(QUEUE).build())
            .run();

    // 10 s + 20 s + 30 s; the fixed schedule alone would give 30 s.
    assertThat(Duration.ofMillis(elapsed))
        .isBetween(Duration.ofSeconds(60), Duration.ofSeconds(62));
  }
}
