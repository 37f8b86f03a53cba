package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.chain;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.fake.TestDefinitions;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A 2,000-task pipeline keeps every execution's history under 10,240 events")
class PipelineHistoryBoundTest {
  static final int TASKS = 2_000;
  static final int HISTORY_LIMIT = 10_240;

  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  @Test
  @DisplayName("as a chain of 2,000 tasks, outputs carried from the first execution to the last")
  void chainOf2000(WorkflowClient client, WorkflowOptions options) {
    RunState state = runAndCheck(client, options, chain(TASKS), 10);
    assertThat(state.tasks().get("t1999").output()).isEqualTo("last-o0");
  }

  @Test
  @DisplayName("as 2,000 independent tasks at parallelism 200")
  void wide2000(WorkflowClient client, WorkflowOptions options) {
    RunState state = runAndCheck(client, options, TestDefinitions.wide(TASKS), 200);
    assertThat(state.tasks().get("t1999").output()).isEqualTo("o1999");
    assertThat(FAKE.maxConcurrent()).isLessThanOrEqualTo(200);
  }

  private static RunState runAndCheck(
      WorkflowClient client, WorkflowOptions options, List<TaskSpec> tasks, int parallelism) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    parallelism,
                    OnFailure.STOP,
                    null,
                    null,
                    tasks.toArray(TaskSpec[]::new))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    RunState state = Runs.result(run);

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks()).hasSize(TASKS);
    assertThat(state.tasks().values())
        .extracting(TaskState::state)
        .containsOnly(TaskPhase.SUCCEEDED);
    assertThat(FAKE.attempts()).hasSize(TASKS);

    List<Integer> lengths = executionLengths(client, run);
    assertThat(lengths).as("events per execution").hasSizeGreaterThan(1);
    assertThat(lengths).allSatisfy(length -> assertThat(length).isLessThan(HISTORY_LIMIT));
    return state;
  }

  /** The event count of every execution in the run's continue-as-new chain, first to last. */
  private static List<Integer> executionLengths(WorkflowClient client, PipelineWorkflow run) {
    String workflowId = WorkflowStub.fromTyped(run).getExecution().getWorkflowId();
    String runId = WorkflowStub.fromTyped(run).getExecution().getRunId();
    List<Integer> lengths = new ArrayList<>();
    while (runId != null) {
      List<HistoryEvent> events = client.fetchHistory(workflowId, runId).getEvents();
      lengths.add(events.size());
      HistoryEvent last = events.get(events.size() - 1);
      runId =
          last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    return lengths;
  }
}
