package io.capstan.workflows.replay;

import static io.capstan.workflows.fake.TestDefinitions.argv;
import static io.capstan.workflows.fake.TestDefinitions.failing;
import static io.capstan.workflows.fake.TestDefinitions.job;
import static io.capstan.workflows.fake.TestDefinitions.pipeline;
import static io.capstan.workflows.fake.TestDefinitions.shell;
import static io.capstan.workflows.fake.TestDefinitions.spec;
import static io.capstan.workflows.fake.TestDefinitions.task;
import static io.capstan.workflows.fake.TestDefinitions.withRetry;

import io.capstan.definitions.executor.SimulateSpec;
import io.capstan.definitions.job.CompletionStrategy;
import io.capstan.definitions.job.JobParallelism;
import io.capstan.definitions.job.JobSpec;
import io.capstan.definitions.job.RestartPolicy;
import io.capstan.definitions.pipeline.Backoff;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.RetrySpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.workflows.TaskQueues;
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
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/**
 * Records the histories that {@link ReplayTest} replays. Run it again only after an intentional
 * change to a workflow's commands, put behind {@code Workflow.getVersion} so that runs already in
 * flight keep replaying; keep the old files too when they stand for versions still running.
 *
 * <p>Name the histories to record after the directory (file names without {@code .json}) to leave
 * the others as they are: a history recorded by an older version of a workflow is what proves that
 * the current one still replays it.
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

  private RecordHistories() {}

  public static void main(String[] args) throws Exception {
    Path directory = Path.of(args.length > 0 ? args[0] : "src/test/resources/histories");
    Set<String> only =
        Set.copyOf(Arrays.asList(args).subList(Math.min(1, args.length), args.length));
    Files.createDirectories(directory);
    FakeTaskActivities fake = new FakeTaskActivities();
    try (TestWorkflowEnvironment environment = TestWorkflowEnvironment.newInstance()) {
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
      for (Map.Entry<String, Recording> recording : recordings.entrySet()) {
        if (only.isEmpty() || only.contains(recording.getKey())) {
          fake.reset();
          write(directory, recording.getKey() + ".json", client, recording.getValue().run());
        }
      }
    }
  }

  /** Runs one workflow to its end and returns its workflow id. */
  @FunctionalInterface
  private interface Recording {
    String run() throws Exception;
  }

  /**
   * Params and output substitution, a retry with backoff, a shell task, the run-timeout timer, and
   * a pause while a task runs, which holds back the task that became ready meanwhile until resume.
   */
  static String pipelineSucceeded(WorkflowClient client, FakeTaskActivities fake)
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
    String id = "pipeline-succeeded";
    PipelineWorkflow run = Runs.startPipeline(client, options(id), input);
    fake.awaitStarted("validate");
    run.pause();
    gate.countDown();
    Runs.awaitTask(run::status, "validate", TaskPhase.SUCCEEDED);
    Runs.awaitTask(run::status, "extract", TaskPhase.SUCCEEDED);
    run.resume();
    Runs.result(run);
    return id;
  }

  /** onFailure continue: a task fails for good, its descendants are SKIPPED, a branch goes on. */
  static String pipelineFailed(WorkflowClient client) {
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
    String id = "pipeline-failed";
    PipelineWorkflow run = Runs.startPipeline(client, options(id), input);
    awaitFailure(run);
    return id;
  }

  /**
   * onFailure pause: a shell task fails for good and the run waits, holding back a task that became
   * ready meanwhile; a {@code retryTask} update with a params override resumes it.
   */
  static String pipelineRetried(WorkflowClient client, FakeTaskActivities fake)
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
    String id = "pipeline-retried";
    PipelineWorkflow run = Runs.startPipeline(client, options(id), input);
    Runs.awaitTask(run::status, "deploy", TaskPhase.FAILED);
    slow.countDown();
    Runs.awaitTask(run::status, "slow", TaskPhase.SUCCEEDED);
    Runs.awaitPhase(run::status, RunPhase.WAITING);
    run.retryTask(new RetryTaskRequest("deploy", Map.of("mode", "echo")));
    Runs.result(run);
    return id;
  }

  /** Three completions at once; the first success cancels the two still held. */
  static String jobAnySuccessful(WorkflowClient client, FakeTaskActivities fake)
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
    String id = "job-any-successful";
    JobWorkflow run = Runs.startJob(client, options(id), JobInput.of(job(spec), Map.of()));
    fake.awaitStarted("completion-2");
    fake.awaitStarted("completion-3");
    Runs.result(run);
    return id;
  }

  /**
   * The whole-job deadline (version 1 of {@code job-deadline}): a completion in its hour-long
   * restart backoff is canceled at the 90-minute timeout.
   */
  static String jobTimedOut(WorkflowClient client) {
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
    String id = "job-timed-out";
    JobWorkflow run = Runs.startJob(client, options(id), JobInput.of(job(spec), Map.of()));
    awaitFailure(run);
    return id;
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

  private static void write(Path directory, String file, WorkflowClient client, String workflowId)
      throws IOException {
    String json = client.fetchHistory(workflowId).toJson(true);
    Files.writeString(directory.resolve(file), json);
    System.out.println("recorded " + directory.resolve(file) + " (" + workflowId + ")");
  }
}
