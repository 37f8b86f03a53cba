package io.capstan.workflows.replay;

import static io.capstan.workflows.fake.TestDefinitions.argv;
import static io.capstan.workflows.fake.TestDefinitions.container;
import static io.capstan.workflows.fake.TestDefinitions.failing;
import static io.capstan.workflows.fake.TestDefinitions.job;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.shell;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static io.capstan.workflows.fake.TestDefinitions.wide;
import static io.capstan.workflows.fake.TestDefinitions.withRetry;

import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.executor.ContainerSimulation;
import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.job.JobSpec;
import io.capstan.definitions.job.RestartPolicy;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.fake.FakeSegmentActivities;
import io.capstan.workflows.fake.FakeTaskActivities;
import io.capstan.workflows.fake.Runs;
import io.capstan.workflows.job.JobInput;
import io.capstan.workflows.job.JobWorkflow;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.pipeline.RetryTaskRequest;
import io.capstan.workflows.run.RunPhase;
import io.capstan.workflows.run.TaskPhase;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.zip.GZIPOutputStream;

/**
 * Records the histories that {@link ReplayTest} replays. Run it again only after an intentional
 * change to a workflow's commands, put behind {@code Workflow.getVersion} so that runs already in
 * flight keep replaying; keep the old files too when they stand for versions still running.
 *
 * <p>Name the histories to record after the directory (file names without {@code .json}; a run that
 * continued as new is one name for all of its files) to leave the others as they are: a history
 * recorded by an older version of a workflow is what proves that the current one still replays it.
 *
 * <pre>
 * mvn -o -q -B -pl workflows -am -Dspotless.check.skip=true test-compile \
 *     dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/test.classpath
 * java -cp "workflows/target/test-classes:workflows/target/classes:$(cat workflows/target/test.classpath)" \
 *     io.capstan.workflows.replay.RecordHistories workflows/src/test/resources/histories [NAME...]
 * </pre>
 */
public final class RecordHistories {
  static final String TASK_QUEUE = "record-histories";

  /** More tasks than one execution's history budget lets start at once (1,391). */
  static final int CONTINUED_TASKS = 1_400;

  private RecordHistories() {}

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Set<String> only =
        Set.copyOf(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
    Files.createDirectories(directory);
    FakeTaskActivities fake = new FakeTaskActivities();
    try (TestWorkflowEnvironment environment = TestWorkflowEnvironment.newInstance()) {
      FakeSegmentActivities segments = new FakeSegmentActivities(environment::getWorkflowClient);
      Worker worker =
          environment.newWorker(
              TASK_QUEUE,
              WorkerOptions.newBuilder()
                  .setMaxHeartbeatThrottleInterval(Duration.ofMillis(20))
                  .setDefaultHeartbeatThrottleInterval(Duration.ofMillis(20))
                  .build());
      worker.registerWorkflowImplementationTypes(PipelineWorkflowImpl.class, JobWorkflowImpl.class);
      // Runs started before the task queues were split scheduled their tasks here; later ones on
      // the tasks queue.
      worker.registerActivitiesImplementations(fake);
      environment
          .newWorker(
              TaskQueues.TASKS,
              WorkerOptions.newBuilder()
                  .setMaxHeartbeatThrottleInterval(Duration.ofMillis(20))
                  .setDefaultHeartbeatThrottleInterval(Duration.ofMillis(20))
                  .build())
          .registerActivitiesImplementations(fake, segments);
      environment
          .newWorker(
              TaskQueues.INFRASTRUCTURE,
              WorkerOptions.newBuilder()
                  .setMaxHeartbeatThrottleInterval(Duration.ofMillis(20))
                  .setDefaultHeartbeatThrottleInterval(Duration.ofMillis(20))
                  .build())
          .registerActivitiesImplementations(fake);
      environment.start();
      fake.useClock(environment::currentTimeMillis);
      WorkflowClient client = environment.getWorkflowClient();

      Map<String, Recording> recordings = new LinkedHashMap<>();
      recordings.put("pipeline-succeeded", () -> pipelineSucceeded(client, fake));
      recordings.put("pipeline-failed", () -> pipelineFailed(client));
      recordings.put("job-any-successful", () -> jobAnySuccessful(client, fake));
      recordings.put("pipeline-retried", () -> pipelineRetried(client, fake));
      recordings.put("job-timed-out", () -> jobTimedOut(client));
      recordings.put("pipeline-continued-as-new", () -> pipelineContinuedAsNew(client));
      recordings.put(
          "pipeline-references-continued", () -> pipelineReferencesContinued(client, fake));
      recordings.put("pipeline-canceled", () -> pipelineCanceled(client, fake));
      recordings.put("pipeline-timed-out", () -> pipelineTimedOut(client));
      recordings.put(
          "pipeline-segmented", () -> pipelineSegmented(client, fake, segments, directory));
      recordings.put(
          "pipeline-segmented-held",
          () -> pipelineSegmentedHeld(client, fake, segments, directory));
      recordings.put("pipeline-containers", () -> pipelineContainers(client));
      for (Map.Entry<String, Recording> recording : recordings.entrySet()) {
        if (only.isEmpty() || only.contains(recording.getKey())) {
          fake.reset();
          write(directory, recording.getKey(), client, recording.getValue().run());
        }
      }
    }
  }

  /** Runs one workflow to its end and returns its first execution. */
  @FunctionalInterface
  private interface Recording {
    WorkflowExecution run() throws Exception;
  }

  /**
   * Params and output substitution, a retry with backoff, a shell task, the run-timeout timer, and
   * a pause while a task runs, which holds back the task that became ready meanwhile until resume.
   */
  static WorkflowExecution pipelineSucceeded(WorkflowClient client, FakeTaskActivities fake)
      throws InterruptedException {
    CountDownLatch gate = fake.gate("validate");
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("source", "database"),
                    2,
                    OnFailure.STOP,
                    Duration.ofHours(4),
                    new TaskDefaults(null, Duration.ofMinutes(10)),
                    withRetry(
                        failing("extract", 1),
                        new RetrySpec(
                            3,
                            Backoff.EXPONENTIAL,
                            Duration.ofSeconds(1),
                            Duration.ofMinutes(1),
                            2.0,
                            null)),
                    task("transform", "rows-#{params.source}", "extract"),
                    task("validate", "ok"),
                    shell(
                        "load",
                        argv("echo", "loaded #{transform.output}"),
                        "transform",
                        "validate"))),
            Map.of("source", "warehouse"));
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-succeeded"), input);
    fake.awaitStarted("validate");
    run.pause();
    gate.countDown();
    Runs.awaitTask(run::status, "validate", TaskPhase.SUCCEEDED);
    Runs.awaitTask(run::status, "extract", TaskPhase.SUCCEEDED);
    run.resume();
    Runs.result(run);
    return execution(run);
  }

  /** onFailure continue: a task fails for good, its descendants are SKIPPED, a branch goes on. */
  static WorkflowExecution pipelineFailed(WorkflowClient client) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    4,
                    OnFailure.CONTINUE,
                    null,
                    null,
                    withRetry(
                        failing("bad", 5),
                        new RetrySpec(2, Backoff.LINEAR, null, null, null, Duration.ofSeconds(30))),
                    task("after-bad", "x", "bad"),
                    task("good", "g"),
                    task("after-good", "y", "good"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-failed"), input);
    awaitFailure(run);
    return execution(run);
  }

  /**
   * onFailure pause: a shell task fails for good and the run waits, holding back a task that became
   * ready meanwhile; a {@code retryTask} update with a params override resumes it.
   */
  static WorkflowExecution pipelineRetried(WorkflowClient client, FakeTaskActivities fake)
      throws InterruptedException {
    CountDownLatch slow = fake.gate("slow");
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of("mode", "exit"),
                    4,
                    OnFailure.PAUSE,
                    null,
                    null,
                    task("extract", "rows"),
                    shell("deploy", argv("#{params.mode}", "#{extract.output}"), "extract"),
                    task("report", "deployed #{deploy.output}", "deploy"),
                    task("slow", "s"),
                    task("later", "l", "slow"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-retried"), input);
    Runs.awaitTask(run::status, "deploy", TaskPhase.FAILED);
    slow.countDown();
    Runs.awaitTask(run::status, "slow", TaskPhase.SUCCEEDED);
    Runs.awaitPhase(run::status, RunPhase.WAITING);
    run.retryTask(new RetryTaskRequest("deploy", Map.of("mode", "echo")));
    Runs.result(run);
    return execution(run);
  }

  /**
   * Container tasks on the infrastructure queue (behind {@code container-executor}): one whose
   * first pod fails and is retried, outputs flowing to a container and a simulate task.
   */
  static WorkflowExecution pipelineContainers(WorkflowClient client) {
    TaskSpec transform =
        withRetry(
            container(
                "transform",
                List.of("#{extract.output}"),
                new ContainerSimulation(null, null, 1, "t-#{extract.output}", null),
                "extract"),
            new RetrySpec(3, Backoff.FIXED, null, null, null, Duration.ofSeconds(1)));
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    4,
                    OnFailure.STOP,
                    null,
                    null,
                    container("extract", "rows"),
                    transform,
                    task("report", "#{transform.output}", "transform"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-containers"), input);
    Runs.result(run);
    return execution(run);
  }

  /** Three completions at once; the first success cancels the two still held. */
  static WorkflowExecution jobAnySuccessful(WorkflowClient client, FakeTaskActivities fake)
      throws InterruptedException {
    fake.gate("completion-2");
    fake.gate("completion-3");
    JobSpec spec =
        new JobSpec(
            Map.of(),
            new SimulateSpec(null, "done", null, null, null),
            null,
            null,
            null,
            new RestartPolicy(2, Backoff.FIXED, null, null, null, Duration.ofSeconds(5)),
            Duration.ofMinutes(5),
            null,
            new JobParallelism(3, 3, CompletionStrategy.AnySuccessful));
    JobWorkflow run =
        Runs.startJob(client, options("job-any-successful"), JobInput.of(job(spec), Map.of()));
    fake.awaitStarted("completion-2");
    fake.awaitStarted("completion-3");
    Runs.result(run);
    return execution(run);
  }

  /**
   * The whole-job deadline (version 1 of {@code job-deadline}): a completion in its hour-long
   * restart backoff is canceled at the 90-minute timeout.
   */
  static WorkflowExecution jobTimedOut(WorkflowClient client) {
    JobSpec spec =
        new JobSpec(
            Map.of(),
            new SimulateSpec(null, "done", 10, null, null),
            null,
            null,
            null,
            new RestartPolicy(5, Backoff.FIXED, null, null, null, Duration.ofHours(1)),
            Duration.ofMinutes(90),
            null,
            null);
    JobWorkflow run =
        Runs.startJob(client, options("job-timed-out"), JobInput.of(job(spec), Map.of()));
    awaitFailure(run);
    return execution(run);
  }

  /**
   * The history budget: 1,400 independent tasks at parallelism 1,400. The first execution starts as
   * many as its history can absorb in the worst case (1,391), drains them and continues as new; the
   * second runs the rest from the carry.
   */
  static WorkflowExecution pipelineContinuedAsNew(WorkflowClient client) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    CONTINUED_TASKS,
                    OnFailure.STOP,
                    null,
                    null,
                    wide(CONTINUED_TASKS).toArray(TaskSpec[]::new))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-continued-as-new"), input);
    Runs.result(run);
    return execution(run);
  }

  /**
   * Outputs by reference across continue-as-new: 1,400 independent tasks whose outputs are "in the
   * store" (each outcome an {@code OutputRef}) and a task after the first and the last, which the
   * second execution starts with one reference from its carry and one of its own.
   */
  static WorkflowExecution pipelineReferencesContinued(
      WorkflowClient client, FakeTaskActivities fake) {
    fake.storeOutputs(task -> task.startsWith("t"));
    List<TaskSpec> tasks = new ArrayList<>(wide(CONTINUED_TASKS));
    String first = tasks.get(0).name();
    String last = tasks.get(tasks.size() - 1).name();
    tasks.add(task("join", "#{" + first + ".output}+#{" + last + ".output}", first, last));
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    CONTINUED_TASKS,
                    OnFailure.STOP,
                    null,
                    null,
                    tasks.toArray(TaskSpec[]::new))),
            Map.of());
    PipelineWorkflow run =
        Runs.startPipeline(client, options("pipeline-references-continued"), input);
    Runs.result(run);
    return execution(run);
  }

  /**
   * Canceled while a task runs: the running task is canceled and confirms, one that succeeded
   * before keeps its state, and one that never started is CANCELED.
   */
  static WorkflowExecution pipelineCanceled(WorkflowClient client, FakeTaskActivities fake)
      throws InterruptedException {
    fake.gate("running");
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                task("done", "d"), task("running", "r", "done"), task("waiting", "w", "running")),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-canceled"), input);
    fake.awaitStarted("running");
    WorkflowStub.fromTyped(run).cancel();
    try {
      Runs.result(run);
      throw new IllegalStateException("the run was expected to end canceled");
    } catch (WorkflowFailedException expected) {
      // The canceled run's history is what is being recorded.
    }
    return execution(run);
  }

  /**
   * The whole-run {@code timeout}: a task in its hour-long retry backoff is canceled at the
   * 90-minute deadline, its dependent never starts, and an independent task succeeded before.
   */
  static WorkflowExecution pipelineTimedOut(WorkflowClient client) {
    PipelineInput input =
        PipelineInput.of(
            pipeline(
                spec(
                    Map.of(),
                    10,
                    OnFailure.STOP,
                    Duration.ofMinutes(90),
                    null,
                    task("quick", "q"),
                    withRetry(
                        failing("flaky", 10),
                        new RetrySpec(5, Backoff.FIXED, null, null, null, Duration.ofHours(1))),
                    task("next", "n", "flaky"))),
            Map.of());
    PipelineWorkflow run = Runs.startPipeline(client, options("pipeline-timed-out"), input);
    awaitFailure(run);
    return execution(run);
  }

  /**
   * A pipeline of 25 tasks cut into segments of 10 ({@code onFailure: continue}): outputs cross
   * segments, a failure in the first segment skips its descendants in later ones, and a pause is
   * forwarded to the running segment. The segments' histories are recorded beside the run's.
   */
  static WorkflowExecution pipelineSegmented(
      WorkflowClient client,
      FakeTaskActivities fake,
      FakeSegmentActivities segments,
      Path directory)
      throws Exception {
    CountDownLatch gate = fake.gate("c12");
    List<TaskSpec> tasks = new ArrayList<>();
    tasks.add(task("root", "seed"));
    tasks.add(
        withRetry(
            failing("bad", 5),
            new RetrySpec(1, Backoff.LINEAR, null, null, null, Duration.ofSeconds(1))));
    String previous = "root";
    for (int i = 0; i < 18; i++) {
      tasks.add(task("c" + i, "#{" + previous + ".output}." + i, previous));
      previous = "c" + i;
    }
    tasks.add(task("after-bad-1", "x", "bad"));
    String afterBad = "after-bad-1";
    for (int i = 2; i <= 5; i++) {
      tasks.add(task("after-bad-" + i, "x", afterBad));
      afterBad = "after-bad-" + i;
    }
    PipelineDefinition definition =
        pipeline(spec(Map.of(), 4, OnFailure.CONTINUE, null, null, tasks.toArray(TaskSpec[]::new)));
    PipelineWorkflow run =
        Runs.startPipeline(
            client,
            options("pipeline-segmented"),
            PipelineInput.segmented(
                definition.withTasks(List.of()), Map.of(), segments.store(definition, 10)));
    fake.awaitStarted("c12");
    run.pause();
    gate.countDown();
    Runs.awaitPhase(run::status, RunPhase.PAUSED);
    run.resume();
    awaitFailure(run);
    for (int k = 0; k < 3; k++) {
      write(
          directory,
          "pipeline-segmented-segment-" + k,
          client,
          WorkflowStub.fromTyped(
                  client.newWorkflowStub(PipelineWorkflow.class, "pipeline-segmented/segment-" + k))
              .getExecution());
    }
    return execution(run);
  }

  /**
   * {@code onFailure: pause} across segments: a task of the first segment fails, the segment tells
   * the run, which waits; a retry on the segment lets both go on.
   */
  static WorkflowExecution pipelineSegmentedHeld(
      WorkflowClient client,
      FakeTaskActivities fake,
      FakeSegmentActivities segments,
      Path directory)
      throws Exception {
    List<TaskSpec> tasks = new ArrayList<>();
    tasks.add(shell("deploy", argv("#{params.mode}", "1")));
    String previous = "deploy";
    for (int i = 0; i < 14; i++) {
      tasks.add(task("c" + i, "#{" + previous + ".output}", previous));
      previous = "c" + i;
    }
    PipelineDefinition definition =
        pipeline(
            spec(
                Map.of("mode", "exit"),
                4,
                OnFailure.PAUSE,
                null,
                null,
                tasks.toArray(TaskSpec[]::new)));
    PipelineWorkflow run =
        Runs.startPipeline(
            client,
            options("pipeline-segmented-held"),
            PipelineInput.segmented(
                definition.withTasks(List.of()),
                Map.of("mode", "exit"),
                segments.store(definition, 10)));
    Runs.awaitPhase(run::status, RunPhase.WAITING);
    PipelineWorkflow segment =
        client.newWorkflowStub(PipelineWorkflow.class, "pipeline-segmented-held/segment-0");
    segment.retryTask(new RetryTaskRequest("deploy", Map.of("mode", "echo")));
    Runs.result(run);
    for (int k = 0; k < 2; k++) {
      write(
          directory,
          "pipeline-segmented-held-segment-" + k,
          client,
          WorkflowStub.fromTyped(
                  client.newWorkflowStub(
                      PipelineWorkflow.class, "pipeline-segmented-held/segment-" + k))
              .getExecution());
    }
    return execution(run);
  }

  private static void awaitFailure(Object run) {
    try {
      Runs.result(run);
      throw new IllegalStateException("the run was expected to fail");
    } catch (WorkflowFailedException expected) {
      // The failed run's history is what is being recorded.
    }
  }

  private static WorkflowOptions options(String workflowId) {
    return WorkflowOptions.newBuilder().setTaskQueue(TASK_QUEUE).setWorkflowId(workflowId).build();
  }

  private static WorkflowExecution execution(Object run) {
    return WorkflowStub.fromTyped(run).getExecution();
  }

  /**
   * Writes the history of {@code first} as {@code NAME.json}. A run that continued as new is
   * written one file per execution, since a replay covers one execution: {@code NAME-1.json.gz}
   * (ending with the continue-as-new) onwards, gzipped because an execution that fills its history
   * budget is thousands of events (about 5 MB of JSON, 150 KB gzipped).
   */
  private static void write(
      Path directory, String name, WorkflowClient client, WorkflowExecution first)
      throws IOException {
    List<WorkflowExecutionHistory> executions = new ArrayList<>();
    String runId = first.getRunId();
    while (runId != null) {
      WorkflowExecutionHistory history = client.fetchHistory(first.getWorkflowId(), runId);
      executions.add(history);
      HistoryEvent last = history.getLastEvent();
      runId =
          last.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? last.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    if (executions.size() == 1) {
      Path file = directory.resolve(name + ".json");
      Files.writeString(file, executions.get(0).toJson(true));
      System.out.println("recorded " + file + " (" + first.getWorkflowId() + ")");
      return;
    }
    for (int i = 0; i < executions.size(); i++) {
      Path file = directory.resolve(name + "-" + (i + 1) + ".json.gz");
      try (Writer out =
          new OutputStreamWriter(
              new GZIPOutputStream(Files.newOutputStream(file)), StandardCharsets.UTF_8)) {
        out.write(executions.get(i).toJson(true));
      }
      System.out.println("recorded " + file + " (" + first.getWorkflowId() + ")");
    }
  }
}
