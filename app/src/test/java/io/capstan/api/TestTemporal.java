package io.capstan.api;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.capstan.activities.task.TaskActivitiesImpl;
import io.capstan.activities.task.TaskActivitiesOptions;
import io.capstan.api.auth.ApiSecurity;
import io.capstan.api.codec.CodecEndpoint;
import io.capstan.api.executors.ServedExecutors;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.outputs.LocalOutputStore;
import io.capstan.outputs.OutputStore;
import io.capstan.workflows.RunSearchAttributes;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.job.JobWorkflowImpl;
import io.capstan.workflows.pipeline.PipelineWorkflowImpl;
import io.capstan.workflows.run.RunState;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An in-process Temporal test server with the real control-plane worker (pipeline and job
 * workflows, simulated and shell executors), wired the way {@code ./capstan up} wires it, and the
 * Temporal SDK's metrics reported into a Prometheus registry.
 */
public final class TestTemporal implements AutoCloseable {
  public static final String HOST = "test-host";
  public static final TemporalInfo INFO =
      new TemporalInfo("in-process", "default", "http://localhost:8233", TemporalInfo.TEST_SERVER);

  private final TestWorkflowEnvironment env;
  private final PrometheusMeterRegistry metrics;
  private final OutputStore outputs;

  private TestTemporal(
      TestWorkflowEnvironment env, PrometheusMeterRegistry metrics, OutputStore outputs) {
    this.env = env;
    this.metrics = metrics;
    this.outputs = outputs;
  }

  public static TestTemporal start() {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Scope scope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(metrics))
            .reportEvery(com.uber.m3.util.Duration.ofMillis(10));
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setMetricsScope(scope).build());
    env.newWorker(TaskQueues.CONTROL_PLANE)
        .registerWorkflowImplementationTypes(PipelineWorkflowImpl.class, JobWorkflowImpl.class);
    Worker tasks =
        env.newWorker(
            TaskQueues.TASKS,
            WorkerOptions.newBuilder()
                // Heartbeats carry cancellation to a running attempt; flush them often.
                .setMaxHeartbeatThrottleInterval(Duration.ofMillis(200))
                .setDefaultHeartbeatThrottleInterval(Duration.ofMillis(200))
                .build());
    // One output store for the workers and the API, as ./capstan up shares its state folder's.
    OutputStore outputs;
    try {
      outputs = new LocalOutputStore(Files.createTempDirectory("capstan-test-outputs"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    tasks.registerActivitiesImplementations(
        new TaskActivitiesImpl(
            new TaskActivitiesOptions(true, HOST, null, Duration.ofMillis(50))
                .withOutputs(outputs)));
    registerSearchAttributes(env);
    env.start();
    return new TestTemporal(env, metrics, outputs);
  }

  /** Capstan's search attributes, as {@code ./capstan up} registers them with its server. */
  static void registerSearchAttributes(TestWorkflowEnvironment env) {
    for (SearchAttributeKey<?> key : RunSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), key.getValueType());
    }
  }

  public WorkflowClient client() {
    return env.getWorkflowClient();
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  public ApiDependencies deps() {
    return deps(EnumSet.of(ExecutorKind.SIMULATE, ExecutorKind.SHELL));
  }

  public ApiDependencies deps(Set<ExecutorKind> served) {
    return new ApiDependencies(
        client(),
        INFO,
        metrics,
        ServedExecutors.fixed(served),
        ApiSecurity.disabled(),
        CodecEndpoint.none(),
        outputs);
  }

  /** A fresh, unstarted API over this server. */
  public Javalin api() {
    return ApiApp.create(deps());
  }

  /**
   * Waits for the run to close and returns its result; waiting on a result also lets the test
   * server skip time over timers, such as retry backoffs.
   */
  public RunState awaitResult(String id) throws TimeoutException {
    return client().newUntypedWorkflowStub(id).getResult(30, TimeUnit.SECONDS, RunState.class);
  }

  @Override
  public void close() {
    env.close();
  }
}
