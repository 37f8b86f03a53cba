package io.capstan.bench;

import io.capstan.activities.kube.KubeSettings;
import io.capstan.api.auth.SubmitRate;
import io.capstan.app.kube.KubeOptions;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.app.up.AuthMode;
import io.capstan.app.up.CapstanRuntime;
import io.capstan.app.up.SecurityOptions;
import io.capstan.app.up.TemporalMode;
import io.capstan.definitions.Metadata;
import io.capstan.definitions.PipelineDefinition;
import io.capstan.definitions.pipeline.OnFailure;
import io.capstan.definitions.pipeline.PipelineSpec;
import io.capstan.definitions.pipeline.TaskDefaults;
import io.capstan.definitions.pipeline.TaskSpec;
import io.capstan.workers.KubeTarget;
import io.capstan.workers.WorkerRole;
import io.capstan.workers.WorkerSettings;
import io.capstan.workflows.TaskQueues;
import io.capstan.workflows.pipeline.PipelineInput;
import io.capstan.workflows.pipeline.PipelineWorkflow;
import io.capstan.workflows.run.RunState;
import io.capstan.workflows.run.TaskPhase;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

/** What the benchmarks share: their flags and the Capstan runtime those flags ask for. */
final class BenchSetup {
  private BenchSetup() {}

  /**
   * The runtime {@code --temporal HOST:PORT} (an external server) or {@code --temporal-mode
   * test-server|dev-server} asks for, {@code defaultMode} when neither is given; a dev server gets
   * a fresh state folder, so earlier runs do not weigh on this one.
   */
  static CapstanRuntime.Config config(String[] args, String defaultMode) throws IOException {
    String temporal = stringFlag(args, "--temporal", null);
    TemporalMode mode = TemporalMode.fromFlag(stringFlag(args, "--temporal-mode", defaultMode));
    if (temporal != null) {
      return CapstanRuntime.Config.external(0, temporal, null);
    }
    if (mode == TemporalMode.TEST_SERVER) {
      return CapstanRuntime.Config.embedded(0, 0);
    }
    Path state = Files.createTempDirectory("capstan-bench-state");
    return new CapstanRuntime.Config(
        "127.0.0.1", 0, null, 0, "default", null, null, mode, 0, state, null, null, null, null);
  }

  /**
   * {@code config} without authentication and without the API's per-token submit limit ({@code
   * --submit-rate}), which is what an operator sets and would otherwise be what is measured.
   */
  /**
   * A dev-server runtime with every role but GPU, its infrastructure worker on {@code cluster}'s
   * worker kubeconfig, worker settings {@code worker} (null for the defaults), and no limits.
   */
  static CapstanRuntime.Config onCluster(
      Path state, LocalKubernetes cluster, WorkerSettings worker) {
    return unlimited(
        new CapstanRuntime.Config(
                "127.0.0.1",
                0,
                null,
                0,
                "default",
                null,
                worker,
                TemporalMode.DEV_SERVER,
                0,
                state,
                null,
                null,
                null,
                null)
            .withRoles(
                EnumSet.of(WorkerRole.CONTROL_PLANE, WorkerRole.TASKS, WorkerRole.INFRASTRUCTURE))
            .withKube(
                KubeOptions.external(
                    new KubeTarget(cluster.workerKubeconfig(), null, KubeSettings.defaults()))));
  }

  static CapstanRuntime.Config unlimited(CapstanRuntime.Config config) {
    return config.withSecurity(
        new SecurityOptions(
            AuthMode.OFF, null, SubmitRate.UNLIMITED, false, List.of(), null, null));
  }

  static int intFlag(String[] args, String name, int fallback) {
    String value = stringFlag(args, name, null);
    return value == null ? fallback : Integer.parseInt(value);
  }

  static String stringFlag(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  /**
   * Milliseconds for one pipeline of {@code tasks} at {@code parallelism} in {@code namespace},
   * from start to result, checked to have succeeded whole.
   */
  static double runPipeline(
      WorkflowClient client, List<TaskSpec> tasks, int parallelism, String namespace) {
    var definition =
        new PipelineDefinition(
            "capstan.io/v1",
            PipelineDefinition.KIND,
            new Metadata("bench", namespace, Map.of()),
            new PipelineSpec(
                Map.of(), parallelism, OnFailure.STOP, null, new TaskDefaults(null, null), tasks));
    PipelineWorkflow pipeline =
        client.newWorkflowStub(
            PipelineWorkflow.class,
            WorkflowOptions.newBuilder()
                .setTaskQueue(TaskQueues.CONTROL_PLANE)
                .setWorkflowId("bench-" + System.nanoTime())
                .build());
    long start = System.nanoTime();
    RunState state = pipeline.run(PipelineInput.of(definition, Map.of()));
    double ms = (System.nanoTime() - start) / 1e6;
    long succeeded =
        state.tasks().values().stream().filter(t -> t.state() == TaskPhase.SUCCEEDED).count();
    if (succeeded != tasks.size()) {
      throw new IllegalStateException(
          "only " + succeeded + " of " + tasks.size() + " tasks succeeded");
    }
    return ms;
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
