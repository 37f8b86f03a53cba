package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.failing;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static io.capstan.workflows.fake.TestDefinitions.withRetry;
import static org.assertj.core.api.Assertions.assertThat;

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
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A pipeline execution continued from a carry")
class PipelineContinuedExecutionTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  @Test
  @DisplayName("keeps the carried tasks and outputs, stays paused, and runs only the rest")
  void resumesFromCarry(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    Instant earlier = Instant.parse("2030-01-01T00:00:00Z");
    TaskState extracted =
        new TaskState(TaskPhase.SUCCEEDED, 2, "rows-42", null, earlier, earlier, "host-a");
    PipelineInput input =
        new PipelineInput(
            pipeline(
                task("extract", "unused"), task("load", "loaded #{extract.output}", "extract")),
            Map.of(),
            new PipelineCarry(Map.of("extract", extracted), true, 3));
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    Runs.awaitTask(run::status, "load", TaskPhase.PENDING);

    RunState paused = run.status();
    assertThat(paused.phase()).isEqualTo(RunPhase.PAUSED);
    assertThat(paused.tasks().keySet()).containsExactly("extract", "load");
    assertThat(paused.tasks().get("extract")).isEqualTo(extracted);
    Thread.sleep(200);
    assertThat(FAKE.attempts()).isEmpty();

    run.resume();
    RunState done = Runs.result(run);

    assertThat(done.tasks().get("load").output()).isEqualTo("loaded rows-42");
    assertThat(FAKE.attempts())
        .extracting(FakeTaskActivities.Attempt::task)
        .containsExactly("load");
  }

  @Test
  @DisplayName("times out at the carried deadline, not its own timeout counted afresh")
  void keepsTheDeadline(
      TestWorkflowEnvironment environment, WorkflowClient client, WorkflowOptions options) {
    Instant deadline = Instant.ofEpochMilli(environment.currentTimeMillis()).plusSeconds(30 * 60);
    PipelineInput input =
        new PipelineInput(
            pipeline(
                spec(
                    Map.of(),
                    10,
                    OnFailure.STOP,
                    Duration.ofHours(4),
                    null,
                    withRetry(
                        failing("flaky", 10),
                        new RetrySpec(5, Backoff.FIXED, null, null, null, Duration.ofHours(1))))),
            Map.of(),
            new PipelineCarry(Map.of(), false, 1, deadline));
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    ApplicationFailure failure = Runs.failure(run);

    assertThat(failure.getType()).isEqualTo(PipelineWorkflowImpl.TIMED_OUT);
    Instant canceledAt = run.status().tasks().get("flaky").finishedAt();
    assertThat(Duration.between(deadline, canceledAt).abs()).isLessThan(Duration.ofSeconds(5));
  }
}
