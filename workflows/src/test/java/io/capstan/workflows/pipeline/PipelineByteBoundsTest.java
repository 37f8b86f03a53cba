package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.Progress;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("The interpreter keeps what it sends to Temporal within Temporal's byte limits")
class PipelineByteBoundsTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  @Test
  @DisplayName(
      "150 tasks starting at once with 16 KB of inputs each are scheduled over several workflow"
          + " tasks, none carrying more than 1 MiB of inputs")
  void oneWorkflowTaskCarriesAtMostOneMebibyteOfInputs(
      WorkflowClient client, WorkflowOptions options) {
    String big = "p".repeat(16 * 1024);
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < 150; i++) {
      tasks.add(task("t" + i, "#{params.big}-" + i));
    }
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("big", big, "unused", "u".repeat(64 * 1024)),
                    150,
                    OnFailure.STOP,
                    null,
                    null,
                    tasks.toArray(TaskSpec[]::new))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    RunState state = Runs.result(run);

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(state.tasks().get("t149").output()).isEqualTo(big + "-149");
    List<HistoryEvent> events = history(client, run);
    List<Long> perWorkflowTask = new ArrayList<>();
    long bytes = 0;
    for (HistoryEvent event : events) {
      if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) {
        perWorkflowTask.add(bytes);
        bytes = 0;
      } else if (event.hasActivityTaskScheduledEventAttributes()) {
        bytes += event.getActivityTaskScheduledEventAttributes().getInput().getSerializedSize();
      }
    }
    assertThat(perWorkflowTask.stream().filter(b -> b > 0).count())
        .as("workflow tasks that scheduled tasks: bytes per workflow task %s", perWorkflowTask)
        .isGreaterThanOrEqualTo(2);
    assertThat(perWorkflowTask)
        .as("activity input bytes per workflow task (a param no task names is never sent)")
        .allSatisfy(
            b -> assertThat(b).isLessThan(PayloadBudget.WORKFLOW_TASK_INPUT_LIMIT + 40_000));
  }

  @Test
  @DisplayName(
      "a run whose state would not fit into the next execution fails saying so, instead of"
          + " failing its workflow task forever")
  void aCarryTemporalWouldRefuseFailsTheRun(WorkflowClient client, WorkflowOptions options) {
    Random random = new Random(3);
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < 1_400; i++) {
      byte[] noise = new byte[900];
      random.nextBytes(noise);
      tasks.add(task("t" + i, Base64.getEncoder().encodeToString(noise)));
    }
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(Map.of(), 1_400, OnFailure.STOP, null, null, tasks.toArray(TaskSpec[]::new))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    WorkflowFailedException failed =
        catchThrowableOfType(WorkflowFailedException.class, () -> Runs.result(run));

    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertThat(cause.getType()).isEqualTo(PipelineWorkflowImpl.STATE_TOO_LARGE);
    assertThat(cause.getOriginalMessage())
        .startsWith("the run's state is ")
        .containsPattern("after \\d+ of 1400 tasks, over the 1.9 MiB Temporal can carry");
    RunState state = run.status();
    assertThat(state.phase()).isEqualTo(RunPhase.FAILED);
    assertThat(state.tasks().get("t1399").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(state.tasks().get("t0").state()).isEqualTo(TaskPhase.SUCCEEDED);
  }

  @Test
  @DisplayName(
      "a task whose templates name 1.7 MB of values fails at once, saying so; the rest run on")
  void aTaskWhoseInputsTemporalWouldRefuseFails(WorkflowClient client, WorkflowOptions options) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("huge", "h".repeat(1_700_000)),
                    4,
                    OnFailure.CONTINUE,
                    null,
                    null,
                    task("greedy", "#{params.huge}"),
                    task("modest", "fine"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    catchThrowableOfType(WorkflowFailedException.class, () -> Runs.result(run));

    RunState state = run.status();
    TaskState greedy = state.tasks().get("greedy");
    assertThat(greedy.state()).isEqualTo(TaskPhase.FAILED);
    assertThat(greedy.attempts()).isZero();
    assertThat(greedy.error())
        .startsWith("the values its templates name come to 1.6 MiB, over the 1.5 MiB");
    assertThat(state.tasks().get("modest").output()).isEqualTo("fine");
    assertThat(FAKE.attemptsOf("greedy")).isEmpty();
  }

  @Test
  @DisplayName(
      "a task with more than 64 dependencies is not sent their outputs, only those it names")
  void manyDependenciesAreNotSentTheirOutputs(WorkflowClient client, WorkflowOptions options) {
    List<TaskSpec> tasks = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      tasks.add(task("d" + i, "x".repeat(4000)));
      names.add("d" + i);
    }
    tasks.add(task("join", "#{d7.output}", names.toArray(String[]::new)));
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(Map.of(), 100, OnFailure.STOP, null, null, tasks.toArray(TaskSpec[]::new))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);

    RunState state = Runs.result(run);

    assertThat(state.tasks().get("join").output()).isEqualTo("x".repeat(4000));
    long joinInput =
        history(client, run).stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
            .reduce((earlier, later) -> later)
            .orElseThrow()
            .getInput()
            .getSerializedSize();
    assertThat(joinInput).as("the join's input holds d7's output, not all 100").isLessThan(20_000);
  }

  @Test
  @DisplayName("a final state too large for a result is returned as phase and progress only")
  void aFinalStateTooLargeForAResultKeepsItsProgress() {
    Random random = new Random(4);
    Map<String, TaskState> tasks = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 1_000; i++) {
      byte[] noise = new byte[3_000];
      random.nextBytes(noise);
      tasks.put(
          "t" + i,
          new TaskState(
              TaskPhase.SUCCEEDED,
              1,
              Base64.getEncoder().encodeToString(noise),
              null,
              null,
              null,
              "h"));
    }
    RunState large = new RunState(RunPhase.SUCCEEDED, new Progress(1_000, 1_000), tasks);
    RunState small =
        new RunState(
            RunPhase.SUCCEEDED,
            new Progress(2, 2),
            Map.of("a", TaskState.pending(), "b", TaskState.pending()));

    assertThat(PayloadBudget.result(small)).isSameAs(small);
    RunState bounded = PayloadBudget.result(large);
    assertThat(bounded.tasks()).isEmpty();
    assertThat(bounded.progress()).isEqualTo(new Progress(1_000, 1_000));
    assertThat(bounded.phase()).isEqualTo(RunPhase.SUCCEEDED);
  }

  private static List<HistoryEvent> history(WorkflowClient client, PipelineWorkflow run) {
    var execution = WorkflowStub.fromTyped(run).getExecution();
    return client.fetchHistory(execution.getWorkflowId(), execution.getRunId()).getEvents();
  }
}
