package io.capstan.activities.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.capstan.activities.task.ShellPolicy;
import io.capstan.activities.task.TaskActivitiesImpl;
import io.capstan.activities.task.TaskActivitiesOptions;
import io.capstan.definitions.DefinitionParser;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.outputs.LocalOutputStore;
import io.capstan.outputs.OutputKeys;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.pipeline.RetryTaskRequest;
import io.capstan.workflows.pipeline.SegmentedTasks;
import io.capstan.workflows.pipeline.StoredJson;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.SegmentStatus;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pipeline cut into segments runs on the real simulate executor and the real segment activities
 * (a local output store, queries of the segments through the test server): outputs cross segment
 * boundaries, failures skip what depends on them in later segments, and each failure policy holds
 * across segments.
 */
@DisplayName("A pipeline cut into segments runs as child workflows")
class SegmentedPipelineTest {
  @TempDir Path dir;

  private TestWorkflowEnvironment env;
  private OutputStore store;
  private WorkflowClient client;

  @BeforeEach
  void start() {
    env = TestWorkflowEnvironment.newInstance();
    store = new LocalOutputStore(dir.resolve("outputs"));
    env.newWorker(TaskQueues.CONTROL_PLANE)
        .registerWorkflowImplementationTypes(PipelineWorkflowImpl.class);
    client = env.getWorkflowClient();
    env.newWorker(TaskQueues.TASKS)
        .registerActivitiesImplementations(
            new TaskActivitiesImpl(
                new TaskActivitiesOptions(
                        new ShellPolicy(true, Map.of("team-a", List.of("sh"))),
                        "worker-1",
                        null,
                        Duration.ofMillis(50),
                        null)
                    .withOutputs(store)),
            new PipelineSegmentActivitiesImpl(store, client));
    env.start();
  }

  @AfterEach
  void stop() {
    env.close();
  }

  @Test
  @DisplayName("a chain of 25 tasks in segments of 10 passes each output to the next")
  void aChainCrossesSegments() {
    StringBuilder tasks = new StringBuilder("    - {name: t0, simulate: {output: '0'}}\n");
    for (int i = 1; i < 25; i++) {
      tasks.append(
          String.format(
              "    - {name: t%d, dependsOn: [t%d], simulate: {output: '#{t%d.output}.%d'}}%n",
              i, i - 1, i - 1, i));
    }
    String id = start(pipeline("chain", "stop", tasks.toString()), 10);

    RunState result = client.newUntypedWorkflowStub(id).getResult(RunState.class);

    assertThat(result.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(result.progress().done()).isEqualTo(25);
    assertThat(result.segments())
        .extracting(SegmentStatus::phase, SegmentStatus::dependsOn)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(TaskPhase.SUCCEEDED, List.of()),
            org.assertj.core.groups.Tuple.tuple(TaskPhase.SUCCEEDED, List.of(0)),
            org.assertj.core.groups.Tuple.tuple(TaskPhase.SUCCEEDED, List.of(1)));
    String expected = "0" + String.join("", IntStream.range(1, 25).mapToObj(i -> "." + i).toList());
    TaskState last = states(id + "/segment-2", "t24").get("t24");
    assertThat(last.output()).isEqualTo(expected);
  }

  @Test
  @DisplayName("a fan-out and fan-in across segments gives every task its inputs")
  void aFanOutAndFanInCrossSegments() {
    StringBuilder tasks = new StringBuilder("    - {name: root, simulate: {output: seed}}\n");
    List<String> leaves = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      tasks.append(
          String.format(
              "    - {name: leaf%d, dependsOn: [root], simulate: {output: '#{root.output}-%d'}}%n",
              i, i));
      leaves.add("leaf" + i);
    }
    tasks.append(
        "    - {name: join, dependsOn: ["
            + String.join(", ", leaves)
            + "], simulate: {output: '#{leaf0.output}+#{leaf29.output}'}}\n");
    String id = start(pipeline("fan", "stop", tasks.toString()), 10);

    RunState result = client.newUntypedWorkflowStub(id).getResult(RunState.class);

    assertThat(result.progress().done()).isEqualTo(32);
    // The root's segment, three of ten leaves, and the join's.
    assertThat(result.segments()).hasSize(5);
    assertThat(result.segments().get(1).dependsOn()).containsExactly(0);
    assertThat(result.segments().get(4).dependsOn()).containsExactly(1, 2, 3);
    assertThat(states(id + "/segment-4", "join").get("join").output()).isEqualTo("seed-0+seed-29");
  }

  @Test
  @DisplayName("onFailure continue: a failure skips its descendants in later segments only")
  void continueSkipsDescendantsInLaterSegments() {
    String id = start(pipeline("cont", "continue", twoBranches()), 10);

    WorkflowFailedException failed =
        (WorkflowFailedException)
            catchFailure(() -> client.newUntypedWorkflowStub(id).getResult(RunState.class));

    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertThat(cause.getType()).isEqualTo(PipelineWorkflowImpl.FAILED);
    assertThat(cause.getOriginalMessage()).startsWith("task failed (1 of 5 segments)");
    assertThat(cause.getOriginalMessage()).contains("'bad'");
    Map<String, TaskState> late = states(id + "/segment-4", "bad19", "good19");
    assertThat(late.get("bad19").state()).isEqualTo(TaskPhase.SKIPPED);
    assertThat(late.get("bad19").error()).isEqualTo("skipped: ancestor 'bad' failed");
    assertThat(late.get("good19").state()).isEqualTo(TaskPhase.SUCCEEDED);
  }

  @Test
  @DisplayName("onFailure stop: no segment starts after a failure, and the rest are SKIPPED")
  void stopSkipsTheSegmentsNotStarted() {
    String id = start(pipeline("stop", "stop", twoBranches()), 10);

    catchFailure(() -> client.newUntypedWorkflowStub(id).getResult(RunState.class));

    RunState state = client.newWorkflowStub(PipelineWorkflow.class, id).status();
    assertThat(state.phase()).isEqualTo(RunPhase.FAILED);
    assertThat(state.segments().get(0).phase()).isEqualTo(TaskPhase.FAILED);
    assertThat(state.segments().get(2).phase()).isEqualTo(TaskPhase.SKIPPED);
  }

  @Test
  @DisplayName("onFailure pause: the run waits, and a retry on the segment lets it finish")
  void pauseWaitsForARetryOnTheSegment() {
    String tasks =
        "    - {name: flaky, retry: {maxAttempts: 1},"
            + " shell: {command: [sh, -c, 'test \"#{params.ok}\" = yes']}}\n"
            + chainAfter("flaky", 15);
    String id = start(pipeline("pause", "pause", tasks), 10);
    PipelineWorkflow run = client.newWorkflowStub(PipelineWorkflow.class, id);
    waitFor(() -> run.status().phase() == RunPhase.WAITING);
    assertThat(run.status().segments().get(1).phase()).isEqualTo(TaskPhase.PENDING);

    assertThatThrownBy(() -> run.retryTask(new RetryTaskRequest("flaky", Map.of())))
        .hasStackTraceContaining("cut into segments");
    PipelineWorkflow segment = client.newWorkflowStub(PipelineWorkflow.class, id + "/segment-0");
    segment.retryTask(new RetryTaskRequest("flaky", Map.of("ok", "yes")));

    RunState result = client.newUntypedWorkflowStub(id).getResult(RunState.class);
    assertThat(result.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(result.progress().done()).isEqualTo(16);
  }

  @Test
  @DisplayName("canceling the run cancels its running segment and the tasks in it")
  void cancelReachesTheSegments() {
    String tasks = "    - {name: slow, simulate: {duration: 1h}}\n" + chainAfter("slow", 15);
    String id = start(pipeline("cancel", "stop", tasks), 10);
    PipelineWorkflow run = client.newWorkflowStub(PipelineWorkflow.class, id);
    waitFor(
        () ->
            !run.status().segments().isEmpty()
                && run.status().segments().get(0).phase() == TaskPhase.RUNNING);

    client.newUntypedWorkflowStub(id).cancel();

    catchFailure(() -> client.newUntypedWorkflowStub(id).getResult(RunState.class));
    assertThat(states(id + "/segment-0", "slow").get("slow").state()).isEqualTo(TaskPhase.CANCELED);
    assertThat(run.status().segments().get(1).phase()).isEqualTo(TaskPhase.CANCELED);
  }

  @Test
  @DisplayName("a run whose stored tasks are gone fails saying so, without retrying forever")
  void aMissingDefinitionFailsTheRun() {
    PipelineDefinition pipeline = pipeline("gone", "stop", chainAfter("x", 3).replace("[x]", "[]"));
    String sha256 = "0".repeat(64);
    String id = "gone-" + UUID.randomUUID();
    WorkflowClient.start(
        client.newWorkflowStub(
                PipelineWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue(TaskQueues.CONTROL_PLANE)
                    .setWorkflowId(id)
                    .build())
            ::run,
        PipelineInput.segmented(
            pipeline, Map.of(), new SegmentedTasks(OutputKeys.definition(sha256), sha256, 3, 10)));

    Throwable failed =
        catchFailure(() -> client.newUntypedWorkflowStub(id).getResult(RunState.class));

    assertThat(failed).hasStackTraceContaining("is gone from");
  }

  /**
   * Two chains of 21, two tasks per level, so five segments of ten: {@code bad} fails, so bad0 to
   * bad19 are skipped; good to good19 succeed.
   */
  private static String twoBranches() {
    StringBuilder tasks = new StringBuilder();
    tasks.append("    - {name: bad, simulate: {failAttempts: 1}, retry: {maxAttempts: 1}}\n");
    tasks.append("    - {name: good, simulate: {}}\n");
    for (int i = 0; i < 20; i++) {
      tasks.append(
          String.format(
              "    - {name: bad%d, dependsOn: [%s], simulate: {}}%n",
              i, i == 0 ? "bad" : "bad" + (i - 1)));
      tasks.append(
          String.format(
              "    - {name: good%d, dependsOn: [%s], simulate: {}}%n",
              i, i == 0 ? "good" : "good" + (i - 1)));
    }
    return tasks.toString();
  }

  private static String chainAfter(String first, int count) {
    StringBuilder tasks = new StringBuilder();
    String previous = first;
    for (int i = 0; i < count; i++) {
      tasks.append(
          String.format("    - {name: c%d, dependsOn: [%s], simulate: {}}%n", i, previous));
      previous = "c" + i;
    }
    return tasks.toString();
  }

  private static PipelineDefinition pipeline(String name, String onFailure, String tasks) {
    return (PipelineDefinition)
        DefinitionParser.parse(
                "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {namespace: team-a, name: "
                    + name
                    + "}\nspec:\n  params: {ok: 'no'}\n  parallelism: 4\n  onFailure: "
                    + onFailure
                    + "\n  tasks:\n"
                    + tasks)
            .get(0);
  }

  /** Stores the tasks and starts the run as the API does for a large pipeline. */
  private String start(PipelineDefinition pipeline, int segmentTasks) {
    byte[] json = StoredJson.write(pipeline);
    String sha256 = StoredJson.sha256(json);
    String key = OutputKeys.definition(sha256);
    try {
      store.put(key, json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    PipelineSpec spec = pipeline.spec();
    PipelineDefinition withoutTasks = pipeline.withTasks(List.of());
    String id = pipeline.metadata().name() + "-" + UUID.randomUUID();
    PipelineWorkflow run =
        client.newWorkflowStub(
            PipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId(id)
                .build());
    WorkflowClient.start(
        run::run,
        PipelineInput.segmented(
            withoutTasks,
            spec.params(),
            new SegmentedTasks(key, sha256, spec.tasks().size(), segmentTasks)));
    return id;
  }

  private Map<String, TaskState> states(String segmentId, String... names) {
    return client.newWorkflowStub(PipelineWorkflow.class, segmentId).taskStates(List.of(names));
  }

  private static Throwable catchFailure(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("expected the run to fail");
  }

  private static void waitFor(Callable<Boolean> condition) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(condition);
  }
}
