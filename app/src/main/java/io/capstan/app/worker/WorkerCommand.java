package io.capstan.app.worker;

import io.capstan.activities.cloud.AwsSettings;
import io.capstan.app.FlagConverter;
import io.capstan.app.up.AuthMode;
import io.capstan.app.up.CapstanHome;
import io.capstan.app.up.CapstanRuntime;
import io.capstan.app.up.RuntimeSecurity;
import io.capstan.app.up.SecurityOptions;
import io.capstan.app.up.TemporalConnection;
import io.capstan.outputs.OutputStore;
import io.capstan.outputs.OutputStores;
import io.capstan.workers.KubeTarget;
import io.capstan.workers.WorkerRole;
import io.capstan.workers.WorkerSettings;
import io.capstan.workflows.TaskQueues;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code capstan worker --role ROLE}: one or more worker roles as a process of their own, against a
 * Temporal that some {@code capstan up} (or a deployment) uses. More processes of a role on more
 * machines share its queue's work; the API learns their executors from Temporal's poller list.
 */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Run worker roles against a Temporal server until interrupted with Ctrl-C, beside a"
          + " `capstan up` or an API elsewhere. Roles: control-plane (pipeline and job workflows),"
          + " tasks (simulate and shell tasks), infrastructure (container tasks as Kubernetes"
          + " Jobs; --kubeconfig, else in-cluster config), gpu (this host's CUDA devices, or"
          + " --simulate-gpus N, on queue capstan-gpu@HOST). Payloads are encrypted with $CAPSTAN_CODEC_KEYS"
          + " when set: give every process the same keys.",
      "Example: capstan worker --role tasks --temporal 127.0.0.1:7233"
    })
public final class WorkerCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--role",
      paramLabel = "ROLE",
      required = true,
      split = ",",
      converter = RoleConverter.class,
      description =
          "The role(s) to run: control-plane, tasks, infrastructure, gpu (repeatable, or"
              + " comma-separated).")
  List<WorkerRole> roles;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7233",
      description = "The Temporal frontend (default: ${DEFAULT-VALUE}, what `capstan up` starts).")
  String temporal;

  @Option(
      names = "--namespace",
      defaultValue = CapstanRuntime.Config.DEFAULT_NAMESPACE,
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Mixin TaskFlags tasks = new TaskFlags();

  @Mixin KubeFlags kube = new KubeFlags();

  @Option(
      names = "--aws-endpoint",
      paramLabel = "URL",
      description =
          "The AWS endpoint of provider: aws clusters (default: AWS itself, or the SDK's"
              + " AWS_ENDPOINT_URL); credentials come from the SDK's default chain.")
  URI awsEndpoint;

  @Option(
      names = "--simulated-aws-endpoint",
      paramLabel = "URL",
      description =
          "The simulated cloud (a moto_server) of provider: simulated clusters; without it the"
              + " infrastructure role refuses simulated clusters.")
  URI simulatedAwsEndpoint;

  @Option(
      names = "--host",
      paramLabel = "NAME",
      description = "The host name reported with every attempt (default: this machine's).")
  String host;

  @Option(
      names = "--simulate-gpus",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "For the gpu role: serve N simulated devices instead of this machine's CUDA devices"
              + " (default: CUDA; the role refuses to start on a machine without a usable GPU).")
  int simulateGpus;

  @Option(
      names = "--gpu-label",
      paramLabel = "KEY=VALUE",
      description =
          "For the gpu role: a label this host's devices offer to gpu tasks' labels (repeatable).")
  java.util.Map<String, String> gpuLabels = new java.util.LinkedHashMap<>();

  @Option(
      names = "--max-concurrent-tasks",
      paramLabel = "N",
      defaultValue = "" + WorkerSettings.DEFAULT_MAX_CONCURRENT_ACTIVITIES,
      description = "Task attempts this process runs at once (default: ${DEFAULT-VALUE}).")
  int maxConcurrentTasks;

  private final CountDownLatch stopped = new CountDownLatch(1);

  /** Reads {@code --role} values; an unknown one is a usage error naming the valid ones. */
  static final class RoleConverter extends FlagConverter<WorkerRole> {
    RoleConverter() {
      super(WorkerRole::parse);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    RuntimeSecurity security;
    WorkflowServiceStubs stubs;
    try {
      security =
          RuntimeSecurity.resolve(
              SecurityOptions.defaults()
                  .withAuth(AuthMode.OFF, null)
                  .withWorkerFiles(tasks.shellPolicy(), tasks.secretsDir()),
              "127.0.0.1",
              System.getenv());
      stubs =
          TemporalConnection.connect(
              temporal, null, " (is `capstan up` running, or give --temporal HOST:PORT)");
    } catch (CapstanRuntime.StartupException e) {
      err.println("capstan worker: " + e.getMessage());
      err.flush();
      return 1;
    }
    OutputStore outputs;
    try {
      outputs =
          OutputStores.of(
              System.getenv(OutputStores.STORE_ENV),
              CapstanHome.defaultStateDir(CapstanHome.dir()),
              System.getenv());
    } catch (IllegalArgumentException e) {
      err.println("capstan worker: " + OutputStores.STORE_ENV + ": " + e.getMessage());
      err.flush();
      return 1;
    }
    WorkflowClient client = TemporalConnection.client(stubs, namespace, security);
    WorkerSettings settings =
        security
            .applyTo(
                new WorkerSettings(
                    tasks.shell(),
                    host,
                    maxConcurrentTasks,
                    WorkerSettings.DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS))
            .withOutputs(outputs);
    Set<WorkerRole> chosen = EnumSet.copyOf(roles);
    String cluster = null;
    String gpu = null;
    if (chosen.contains(WorkerRole.INFRASTRUCTURE)) {
      try {
        KubeTarget target = kube.target();
        String version = target.connect().getKubernetesVersion().getGitVersion();
        cluster = target.connect().getMasterUrl() + " (" + version + ", " + target.describe() + ")";
        settings = settings.withKubernetes(target);
      } catch (RuntimeException e) {
        err.println(
            "capstan worker: the infrastructure role cannot reach Kubernetes: "
                + e.getMessage()
                + " (give --kubeconfig PATH and --kube-context NAME, or run it in a cluster)");
        err.flush();
        stubs.shutdown();
        return 1;
      }
    }
    settings = settings.withAws(new AwsSettings(awsEndpoint, simulatedAwsEndpoint));
    if (chosen.contains(WorkerRole.GPU)) {
      try {
        io.capstan.gpu.GpuHost gpuHost =
            simulateGpus > 0
                ? new io.capstan.gpu.GpuHost(
                    settings.hostName(),
                    io.capstan.gpu.SimulatedGpus.of(
                        settings.hostName(), simulateGpus, io.capstan.gpu.SimulatedGpus.sleeping()),
                    gpuLabels)
                : GpuHosts.cuda(settings.hostName(), gpuLabels);
        settings = settings.withGpuHosts(List.of(gpuHost));
        gpu = gpuHost.describe();
      } catch (GpuHosts.NoGpuException e) {
        err.println(
            "capstan worker: the gpu role found no usable GPU: "
                + e.getMessage()
                + " (--simulate-gpus N serves simulated devices instead)");
        err.flush();
        stubs.shutdown();
        return 1;
      }
    }
    WorkerSettings running = settings;
    RoleWorkers workers = RoleWorkers.start(client, chosen, running);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    workers.stop(Duration.ofSeconds(5));
                    if (running.kubernetes() != null) {
                      running.kubernetes().close();
                    }
                    stubs.shutdown();
                    stubs.awaitTermination(5, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                  out.println("stopped");
                  out.flush();
                  stopped.countDown();
                },
                "capstan-worker-stop"));
    out.println(banner(chosen, workers, settings, cluster, gpu));
    out.flush();
    stopped.await();
    return 0;
  }

  private String banner(
      Set<WorkerRole> chosen,
      RoleWorkers workers,
      WorkerSettings settings,
      String cluster,
      String gpu) {
    String queues =
        chosen.stream()
            .map(
                role ->
                    role.id()
                        + " on "
                        + (role == WorkerRole.GPU
                            ? TaskQueues.gpu(settings.hostName())
                            : role.taskQueue()))
            .collect(Collectors.joining(", "));
    String executors =
        workers.executors().stream()
            .sorted()
            .map(kind -> kind.name().toLowerCase(Locale.ROOT))
            .collect(Collectors.joining(", "));
    return "Capstan worker polling "
        + temporal
        + " (namespace "
        + namespace
        + ") as "
        + settings.hostName()
        + "\n  Roles      "
        + queues
        + (executors.isEmpty() ? "" : "\n  Executors  " + executors)
        + (settings.outputs() == null ? "" : "\n  Outputs    " + settings.outputs().describe())
        + (cluster == null ? "" : "\n  Kubernetes " + cluster)
        + (gpu == null ? "" : "\n  GPUs       " + gpu + ", in the GPU fleet")
        + "\nCtrl-C stops it; running attempts are retried by another worker.";
  }
}
