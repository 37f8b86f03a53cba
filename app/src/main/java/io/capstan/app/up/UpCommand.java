package io.capstan.app.up;

import io.capstan.activities.task.SecretResolver;
import io.capstan.api.AwsInfo;
import io.capstan.api.KubernetesInfo;
import io.capstan.api.TemporalInfo;
import io.capstan.api.auth.SubmitRate;
import io.capstan.app.FlagConverter;
import io.capstan.app.kube.KubeOptions;
import io.capstan.app.worker.GpuFlags;
import io.capstan.app.worker.GpuHosts;
import io.capstan.app.worker.KubeFlags;
import io.capstan.app.worker.TaskFlags;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.workers.WorkerRole;
import io.capstan.workers.WorkerSettings;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code capstan up}: the API, every worker role and Temporal in one process (the dev server as a
 * child process of it).
 */
@Command(
    name = "up",
    mixinStandardHelpOptions = true,
    description = {
      "Run the HTTP API and every worker role on a Temporal server until interrupted with"
          + " Ctrl-C. By default that is the Temporal CLI's dev server (SQLite under the state"
          + " folder, Web UI), started and stopped with Capstan; the Java test server where there"
          + " is no temporal binary; or the external one given with --temporal."
    })
public final class UpCommand implements Callable<Integer> {
  static final String TEST_SERVER_LIMITS =
      "embedded Java test server: in-memory, no Web UI, no ListWorkflowExecutions (list falls back"
          + " to runs submitted here), no Schedules";

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "API port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--bind",
      defaultValue = CapstanRuntime.Config.DEFAULT_BIND,
      description = "Address the API listens on (default: ${DEFAULT-VALUE}).")
  String bind;

  @Option(
      names = "--temporal",
      paramLabel = "HOST:PORT",
      description = "Use this external Temporal frontend; no server is started.")
  String temporal;

  @Option(
      names = "--temporal-port",
      defaultValue = "7233",
      description = "gRPC port of the Temporal server Capstan starts (default: ${DEFAULT-VALUE}).")
  int temporalPort;

  @Option(
      names = "--ui-port",
      defaultValue = "8233",
      description = "Port of the dev server's Web UI (default: ${DEFAULT-VALUE}).")
  int uiPort;

  @Option(
      names = "--temporal-mode",
      paramLabel = "MODE",
      defaultValue = "auto",
      converter = ModeConverter.class,
      description =
          "Which server to start without --temporal: auto (the dev server when a temporal binary"
              + " is found, else the Java test server), dev-server or test-server (default:"
              + " ${DEFAULT-VALUE}).")
  TemporalMode temporalMode;

  @Option(
      names = "--temporal-cli",
      paramLabel = "PATH",
      description =
          "The temporal binary for the dev server (else $CAPSTAN_TEMPORAL_CLI, then"
              + " .capstan/tools/bin/temporal, then temporal on the PATH).")
  Path temporalCli;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "Where the dev server keeps its SQLite file and log (default: .capstan/state in the"
              + " checkout).")
  Path stateDir;

  @Option(
      names = "--namespace",
      defaultValue = CapstanRuntime.Config.DEFAULT_NAMESPACE,
      description = "Temporal namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--temporal-ui",
      paramLabel = "URL",
      description = "Base address of the external Temporal's Web UI, linked from each run.")
  String temporalUi;

  @Mixin TaskFlags tasks = new TaskFlags();

  @Mixin KubeFlags kube = new KubeFlags();

  @Mixin GpuFlags gpus = new GpuFlags();

  @Option(
      names = "--no-local-infra",
      description =
          "Start no local Kubernetes: container tasks are refused unless --kubeconfig names a"
              + " cluster (default: the local control plane with simulated nodes, built on first"
              + " use).")
  boolean noLocalInfra;

  @Option(
      names = "--auth",
      paramLabel = "MODE",
      defaultValue = "auto",
      converter = AuthConverter.class,
      description =
          "Bearer-token authentication of the API: on, off (only with a loopback --bind), or auto:"
              + " on when tokens are given (--auth-file, $CAPSTAN_AUTH_FILE or $CAPSTAN_TOKENS),"
              + " else off (default: ${DEFAULT-VALUE}).")
  AuthMode auth;

  @Option(
      names = "--auth-file",
      paramLabel = "FILE",
      description =
          "YAML tokens file: tokens: [{name, role: viewer|operator|admin, namespaces: [...],"
              + " sha256}] (`capstan token hash` prints a token's sha256).")
  Path authFile;

  @Option(
      names = "--submit-rate",
      paramLabel = "RATE[/BURST]",
      defaultValue = "10/20",
      converter = SubmitRateConverter.class,
      description =
          "Runs each principal may submit per second, and at once; off for no limit (default:"
              + " ${DEFAULT-VALUE}).")
  SubmitRate submitRate;

  @Option(
      names = "--metrics-auth",
      description = "Serve /metrics to admin tokens only (default: open, for Prometheus).")
  boolean metricsAuth;

  @Option(
      names = "--codec-origin",
      paramLabel = "URL",
      description =
          "A browser origin allowed to call the codec endpoint /codec (repeatable; default: the"
              + " Temporal Web UI's).")
  List<String> codecOrigins = new ArrayList<>();

  private final CountDownLatch stopped = new CountDownLatch(1);

  /**
   * Reads {@code --temporal-mode} values; an unknown one is a usage error naming the valid ones.
   */
  static final class ModeConverter extends FlagConverter<TemporalMode> {
    ModeConverter() {
      super(TemporalMode::fromFlag);
    }
  }

  /** Reads {@code --auth} values; an unknown one is a usage error naming the valid ones. */
  static final class AuthConverter extends FlagConverter<AuthMode> {
    AuthConverter() {
      super(AuthMode::fromFlag);
    }
  }

  /** Reads {@code --submit-rate} values: {@code 10}, {@code 10/20} or {@code off}. */
  static final class SubmitRateConverter extends FlagConverter<SubmitRate> {
    SubmitRateConverter() {
      super(SubmitRate::parse);
    }
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (temporal != null && temporalMode != TemporalMode.AUTO) {
      throw new ParameterException(
          spec.commandLine(),
          "--temporal connects to an external server, so --temporal-mode "
              + temporalMode.flagValue()
              + " does not apply: drop one of them");
    }
    CapstanRuntime runtime;
    CapstanRuntime.Config config;
    try {
      config = config();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      runtime =
          new CapstanRuntime(config)
              .onKubernetesChange(
                  info -> {
                    if (!info.state().equals(KubernetesInfo.INSTALLING)
                        && !info.state().equals(KubernetesInfo.STARTING)
                        && !info.state().equals(KubernetesInfo.DISABLED)) {
                      out.println("Kubernetes " + kubernetesLine(info));
                      out.flush();
                    }
                  })
              .onAwsChange(
                  info -> {
                    if (info.state().equals(KubernetesInfo.READY)) {
                      out.println(
                          "Simulated AWS ready (moto): "
                              + info.endpoint()
                              + ", region "
                              + info.region()
                              + "; simulated clusters' groups and instances live there");
                      out.flush();
                    } else if (info.state().equals(KubernetesInfo.FAILED)) {
                      out.println(
                          "Simulated AWS failed: "
                              + info.detail()
                              + " (simulated clusters cannot be created; aws ones still can)");
                      out.flush();
                    }
                  })
              .start();
    } catch (CapstanRuntime.StartupException e) {
      err.println("capstan up: " + e.getMessage());
      err.flush();
      return 1;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  out.println("stopping Capstan...");
                  out.flush();
                  runtime.close();
                  out.println("stopped");
                  out.flush();
                  stopped.countDown();
                },
                "capstan-shutdown"));
    out.print(banner(runtime));
    out.flush();
    stopped.await();
    return 0;
  }

  CapstanRuntime.Config config() {
    return new CapstanRuntime.Config(
        bind,
        port,
        temporal,
        temporalPort,
        namespace,
        temporalUi,
        WorkerSettings.defaults(tasks.shell())
            .withGpuHosts(GpuHosts.simulated("sim-gpu-", gpus.hosts(), gpus.devices())),
        temporalMode,
        uiPort,
        stateDir,
        temporalCli,
        new SecurityOptions(
            auth,
            authFile,
            submitRate,
            metricsAuth,
            codecOrigins,
            tasks.shellPolicy(),
            tasks.secretsDir()),
        /* roles= every one */ null,
        kubeOptions());
  }

  /** Where container tasks run: --kubeconfig/--kube-context, else local unless turned off. */
  KubeOptions kubeOptions() {
    if (kube.named()) {
      return KubeOptions.external(kube.target());
    }
    if (noLocalInfra) {
      return KubeOptions.none();
    }
    if (inCluster(System.getenv())) {
      // Running in a pod: the cluster around it, through its service account.
      return KubeOptions.external(kube.target());
    }
    return KubeOptions.local(CapstanHome.dir(), kube.settings());
  }

  /** Whether this process runs in a Kubernetes pod with a service account mounted. */
  static boolean inCluster(Map<String, String> env) {
    return env.get("KUBERNETES_SERVICE_HOST") != null
        && Files.isReadable(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"));
  }

  /** One line on the cluster of container tasks: its state and where to look. */
  static String kubernetesLine(KubernetesInfo info) {
    return switch (info.state()) {
      case KubernetesInfo.READY ->
          "ready ("
              + info.mode()
              + "): "
              + info.apiServer()
              + (info.kubeconfig() == null
                  ? ""
                  : "; kubectl --kubeconfig " + info.kubeconfig() + " get jobs -A");
      case KubernetesInfo.INSTALLING, KubernetesInfo.STARTING ->
          info.state()
              + ": "
              + info.detail()
              + " (container tasks wait until it is ready; GET /api/v1/info follows it)";
      case KubernetesInfo.FAILED -> "failed: " + info.detail();
      default -> "none: " + info.detail();
    };
  }

  static String banner(CapstanRuntime runtime) {
    TemporalInfo temporal = runtime.temporal();
    StringBuilder text = new StringBuilder();
    text.append("Capstan is up.\n");
    text.append("  API        ").append(runtime.apiUrl()).append('\n');
    text.append("  Temporal   ")
        .append(temporal.address())
        .append(", namespace ")
        .append(temporal.namespace())
        .append(" (")
        .append(temporal.mode())
        .append(")\n");
    if (TemporalInfo.TEST_SERVER.equals(temporal.mode())) {
      text.append("             ").append(TEST_SERVER_LIMITS).append('\n');
    }
    if (temporal.ui() != null) {
      text.append("  Web UI     ").append(temporal.ui()).append('\n');
    }
    runtime
        .devServer()
        .ifPresent(
            dev ->
                text.append("  State      ")
                    .append(dev.dbFile())
                    .append(" (runs survive a restart; server log ")
                    .append(dev.logFile().getFileName())
                    .append(" beside it)\n"));
    text.append("  Outputs    ")
        .append(runtime.outputs().describe())
        .append(" (over 4 KiB; set CAPSTAN_OUTPUT_STORE=s3://BUCKET to share them)\n");
    RuntimeSecurity security = runtime.security();
    text.append("  Auth       ").append(security.authLine()).append('\n');
    text.append("  Payloads   ").append(security.payloadLine()).append('\n');
    runtime
        .codecEndpoint()
        .ifPresent(
            codec ->
                text.append("             codec endpoint ")
                    .append(codec)
                    .append(" (temporal --codec-endpoint ")
                    .append(codec)
                    .append(security.api().enabled() ? " --codec-auth 'Bearer TOKEN'" : "")
                    .append(")\n"));
    text.append("  Workers    ")
        .append(
            runtime.config().roles().stream()
                .filter(
                    role ->
                        role != WorkerRole.GPU || !runtime.config().worker().gpuHosts().isEmpty())
                .map(role -> role.id() + " on " + role.taskQueue())
                .collect(Collectors.joining(", ")))
        .append(" (more: capstan worker --role tasks)\n");
    text.append("  Kubernetes ").append(kubernetesLine(runtime.kubernetes())).append('\n');
    AwsInfo aws = runtime.aws();
    if (!aws.state().equals(KubernetesInfo.DISABLED)) {
      text.append("  Cloud      simulated AWS (moto) ")
          .append(
              aws.state().equals(KubernetesInfo.READY)
                  ? "ready: " + aws.endpoint() + ", region " + aws.region()
                  : aws.state() + (aws.detail() == null ? "" : ": " + aws.detail()))
          .append(" (provider: simulated clusters)\n");
    }
    if (!runtime.config().worker().gpuHosts().isEmpty()) {
      var hosts = runtime.config().worker().gpuHosts();
      text.append("  GPUs       ")
          .append(hosts.size())
          .append(" simulated host")
          .append(hosts.size() == 1 ? "" : "s")
          .append(" × ")
          .append(hosts.get(0).backend().devices().size())
          .append(" devices (")
          .append(hosts.stream().map(h -> h.host()).collect(Collectors.joining(", ")))
          .append(") in the GPU fleet ")
          .append(io.capstan.workflows.gpu.GpuFleetWorkflow.ID)
          .append(" (--gpu-hosts N; real GPUs: capstan worker --role gpu)\n");
    }
    text.append("  Executors  ")
        .append(
            runtime.servedExecutors().stream()
                .sorted()
                .map(kind -> kind.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", ")))
        .append(
            runtime.kubernetes().coming()
                ? ", container (accepted now, run once Kubernetes is ready)"
                : "")
        .append('\n');
    if (runtime.servedExecutors().contains(ExecutorKind.SHELL)) {
      text.append("             shell tasks run on this machine as ")
          .append(System.getProperty("user.name"))
          .append(" (--no-shell turns them off)\n");
      text.append("             ")
          .append(
              security.shellPolicyFile() == null
                  ? "any command (--shell-policy FILE limits them per namespace)"
                  : "commands allowed by " + security.shellPolicyFile())
          .append('\n');
    }
    text.append("  Secrets    $")
        .append(SecretResolver.ENV_PREFIX)
        .append("<NAME> variables")
        .append(
            security.secrets().secretsDir() == null
                ? ""
                : " and files in " + security.secrets().secretsDir())
        .append('\n');
    if (!TemporalInfo.TEST_SERVER.equals(temporal.mode())) {
      text.append("  CLI        ").append(cliHint(temporal)).append('\n');
      runtime
          .temporalCli()
          .filter(cli -> !cli.onPath())
          .ifPresent(
              cli -> text.append("             (temporal is ").append(cli.binary()).append(")\n"));
    }
    for (String note : runtime.notes()) {
      text.append("  Note       ").append(note).append('\n');
    }
    text.append("Press Ctrl-C to stop.\n");
    return text.toString();
  }

  /** The stock {@code temporal} command that lists Capstan's pipelines on this server. */
  static String cliHint(TemporalInfo temporal) {
    String namespace =
        temporal.namespace().equals(CapstanRuntime.Config.DEFAULT_NAMESPACE)
            ? ""
            : " --namespace " + temporal.namespace();
    return "temporal --address "
        + temporal.address()
        + namespace
        + " workflow list --query \"CapstanKind='Pipeline'\"";
  }
}
