package io.capstan.workflows.pipeline;

import static io.capstan.workflows.fake.TestDefinitions.argv;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.shell;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.EnvVar;
import io.capstan.definitions.executor.ShellSpec;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.fake.TaskQueueEnvironment;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.capstan.workflows.run.TaskState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("A pipeline schedules its DAG")
class PipelineSchedulingTest {
  static final FakeTaskActivities FAKE = new FakeTaskActivities();

  @RegisterExtension static final TaskQueueEnvironment TEMPORAL = Runs.extension(FAKE);

  @BeforeEach
  void reset() {
    FAKE.reset();
  }

  @Test
  @DisplayName("in dependency order, rendering params and ancestor outputs just before each start")
  void rendersParamsAndOutputs(WorkflowClient client, WorkflowOptions options) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("source", "database", "region", "eu"),
                    4,
                    OnFailure.STOP,
                    null,
                    null,
                    task("extract", "rows-#{params.source}"),
                    task("transform", "t(#{extract.output})", "extract"),
                    shell(
                        "load",
                        argv("echo", "#{transform.output}", "#{params.region}"),
                        "transform"))),
            Map.of("source", "db"));

    RunState state = Runs.result(Runs.startPipeline(client, options, input));

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(FAKE.simulated("extract").output()).isEqualTo("rows-db");
    assertThat(FAKE.simulated("transform").output()).isEqualTo("t(rows-db)");
    assertThat(FAKE.command("load")).containsExactly("echo", "t(rows-db)", "eu");
    assertThat(state.tasks().get("load").output()).isEqualTo("echo t(rows-db) eu");
    assertThat(FAKE.attempts())
        .extracting(FakeTaskActivities.Attempt::task)
        .containsExactly("extract", "transform", "load");
  }

  @Test
  @DisplayName(
      "tells every task the run's namespace, and passes secret references on by name, unrendered")
  void passesNamespaceAndSecretReferences(WorkflowClient client, WorkflowOptions options) {
    TaskSpec connect =
        new TaskSpec(
            "connect",
            List.of(),
            null,
            null,
            null,
            new ShellSpec(
                argv("connect"),
                List.of(
                    EnvVar.of("REGION", "#{params.region}"),
                    EnvVar.secret("PASSWORD", "db-password")),
                null),
            null,
            null);
    PipelineInput input =
        PipelineInput.of(
            pipeline(spec(Map.of("region", "eu"), 4, OnFailure.STOP, null, null, connect)),
            Map.of());

    RunState state = Runs.result(Runs.startPipeline(client, options, input));

    assertThat(state.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(FAKE.context("connect").namespace()).isEqualTo("team-a");
    assertThat(FAKE.shellSpec("connect").env())
        .containsExactly(EnvVar.of("REGION", "eu"), EnvVar.secret("PASSWORD", "db-password"));
  }

  @Test
  @DisplayName("reports every task with attempts, output, host and timestamps once done")
  void reportsFinalState(WorkflowClient client, WorkflowOptions options) {
    PipelineInput input =
        PipelineInput.of(pipeline(task("a", "out-a"), task("b", "out-b", "a")), Map.of());

    RunState state = Runs.result(Runs.startPipeline(client, options, input));

    assertThat(state.tasks()).containsOnlyKeys("a", "b");
    assertThat(state.progress().done()).isEqualTo(2);
    assertThat(state.progress().total()).isEqualTo(2);
    TaskState b = state.tasks().get("b");
    assertThat(b.state()).isEqualTo(TaskPhase.SUCCEEDED);
    assertThat(b.attempts()).isEqualTo(1);
    assertThat(b.output()).isEqualTo("out-b");
    assertThat(b.error()).isNull();
    assertThat(b.host()).isEqualTo(FakeTaskActivities.HOST);
    assertThat(b.startedAt()).isNotNull();
    assertThat(b.finishedAt()).isAfterOrEqualTo(b.startedAt());
    assertThat(b.startedAt()).isAfterOrEqualTo(state.tasks().get("a").finishedAt());
  }

  @Test
  @DisplayName("never runs more tasks at once than its parallelism, and reaches it on a wide DAG")
  void respectsParallelism(WorkflowClient client, WorkflowOptions options) {
    List<TaskSpec> tasks = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      tasks.add(task("w" + i, "o" + i));
    }
    tasks.add(task("join", "done", tasks.stream().map(TaskSpec::name).toArray(String[]::new)));
    FAKE.holdEachAttempt(Duration.ofMillis(500));
    PipelineInput input =
        PipelineInput.of(
            pipeline(spec(Map.of(), 4, OnFailure.STOP, null, null, tasks.toArray(TaskSpec[]::new))),
            Map.of());

    RunState state = Runs.result(Runs.startPipeline(client, options, input));

    assertThat(state.progress().done()).isEqualTo(13);
    assertThat(FAKE.maxConcurrent()).isEqualTo(4);
  }

  @Test
  @DisplayName("lists every task, PENDING ones included, in definition order while it runs")
  void statusWhileRunning(WorkflowClient client, WorkflowOptions options)
      throws InterruptedException {
    CountDownLatch gate = FAKE.gate("first");
    PipelineInput input =
        PipelineInput.of(
            pipeline(task("first", "1"), task("second", "2", "first"), task("third", "3")),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    FAKE.awaitStarted("first");
    FAKE.awaitStarted("third");
    Runs.awaitTask(run::status, "third", TaskPhase.SUCCEEDED);

    RunState state = run.status();

    assertThat(state.phase()).isEqualTo(RunPhase.RUNNING);
    assertThat(state.tasks().keySet()).containsExactly("first", "second", "third");
    assertThat(state.tasks().get("first").state()).isEqualTo(TaskPhase.RUNNING);
    assertThat(state.tasks().get("second").state()).isEqualTo(TaskPhase.PENDING);
    assertThat(state.progress().done()).isEqualTo(1);
    assertThat(state.progress().total()).isEqualTo(3);
    gate.countDown();
    assertThat(Runs.result(run).phase()).isEqualTo(RunPhase.SUCCEEDED);
  }

  @Test
  @DisplayName("starts nothing new while paused, lets running tasks finish, and goes on on resume")
  void pauseAndResume(WorkflowClient client, WorkflowOptions options) throws InterruptedException {
    CountDownLatch gate = FAKE.gate("a");
    PipelineInput input = PipelineInput.of(pipeline(task("a", "1"), task("b", "2", "a")), Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options, input);
    FAKE.awaitStarted("a");

    run.pause();
    gate.countDown();
    Runs.awaitTask(run::status, "a", TaskPhase.SUCCEEDED);
    Thread.sleep(300);

    RunState paused = run.status();
    assertThat(paused.phase()).isEqualTo(RunPhase.PAUSED);
    assertThat(paused.tasks().get("b").state()).isEqualTo(TaskPhase.PENDING);
    assertThat(FAKE.hasStarted("b")).isFalse();

    run.resume();
    RunState done = Runs.result(run);
    assertThat(done.phase()).isEqualTo(RunPhase.SUCCEEDED);
    assertThat(done.tasks().get("b").state()).isEqualTo(TaskPhase.SUCCEEDED);
  }
}
