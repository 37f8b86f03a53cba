package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.container;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static io.capstan.workflows.fake.TestDefinitions.withRetry;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A pipeline with container tasks")
class PipelineContainerTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  @Test
  @DisplayName(
      "runs them on the infrastructure queue with their templates (params, outputs) rendered, retries a failed pod"
          + " under the task's policy, and passes their outputs on")
  void containersRunAndRetry(WorkflowClient client, WorkflowOptions options) {
    TaskSpec transform =
        withRetry(
            container(
                "transform",
                List.of("--rows", "#{extract.output}"),
                new ContainerSimulation(null, null, 1, "t-#{extract.output}", null),
                "extract"),
            new RetrySpec(3, null, null, null, null, null));
    PipelineWorkflow run =
        Runs.startPipeline(
            client,
            options,
            PipelineInput.of(
                pipeline(
                    spec(
                        Map.of("day", "d1"),
                        4,
                        OnFailure.STOP,
                        null,
                        null,
                        container("extract", "rows-#{params.day}"),
                        transform,
                        task("report", "#{transform.output}", "transform"))),
                Map.of()));

    Runs.result(run);

    RunState state = run.status();
    assertThat(state.tasks().get("transform").state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(state.tasks().get("transform").attempts()).isEqualTo(2);
    assertThat(state.tasks().get("report").output()).isEqualTo("t-rows-d1");
    assertThat(FAKE.container("transform").args()).containsExactly("--rows", "rows-d1");
  }
}
