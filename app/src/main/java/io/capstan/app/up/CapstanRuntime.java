package io.capstan.app.up;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.capstan.activities.cloud.AwsSettings;
import io.capstan.api.ApiApp;
import io.capstan.api.ApiDependencies;
import io.capstan.api.AwsInfo;
import io.capstan.api.KubernetesInfo;
import io.capstan.api.TemporalInfo;
import io.capstan.api.codec.CodecController;
import io.capstan.api.codec.CodecEndpoint;
import io.capstan.api.executors.GpuFleetProbe;
import io.capstan.api.executors.PollerDiscovery;
import io.capstan.api.executors.ServedExecutors;
import io.capstan.app.cloud.LocalAws;
import io.capstan.app.cloud.SimulatedCloud;
import io.capstan.app.cloud.SimulatedGpuNodes;
import io.capstan.app.kube.KubeOptions;
import io.capstan.app.kube.KubernetesInfrastructure;
import io.capstan.app.kube.LocalKubernetes;
import io.capstan.app.worker.RoleWorkers;
import io.capstan.codec.CapstanDataConverter;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.outputs.OutputStore;
import io.capstan.outputs.OutputStores;
import io.capstan.workers.KubeTarget;
import io.capstan.workers.WorkerRole;
import io.capstan.workers.WorkerSettings;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.net.BindException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.autoscaling.AutoScalingClient;
import software.amazon.awssdk.services.ec2.Ec2Client;

/**
 * Everything {@code capstan up} runs in one process: a Temporal server (a {@link TemporalBackend}:
 * the Temporal CLI's dev server as a child process, the in-process Java test server, or a
 * connection to an external one), every worker role, and the HTTP API. Tests and benchmarks start
 * the same wiring on free ports.
 *
 * <p>Whatever the server, Capstan's search attributes are registered with it at start. {@link
 * #close()} stops the parts in the reverse order of {@link #start()}: no new requests, then no new
 * work, then the connection, then the server. A dev server is also stopped when the JVM exits
 * without {@link #close()}.
 */
public final class CapstanRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CapstanRuntime.class);

  /** How often the SDK's metrics are copied into the Prometheus registry. */
  private static final com.uber.m3.util.Duration METRICS_REPORT_INTERVAL =
      com.uber.m3.util.Duration.ofSeconds(1);

  private static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** How long the start waits for Temporal to list this process's workers as pollers. */
  private static final Duration WORKERS_VISIBLE = Duration.ofSeconds(10);

  private static final Duration WORKERS_POLL = Duration.ofMillis(50);

  /**
   * Where and how to run.
   *
   * @param bind the address the API listens on
   * @param apiPort the API's port; 0 picks a free one
   * @param temporalTarget {@code HOST:PORT} of an external Temporal frontend, or null to start a
   *     server as {@code temporalMode} says
   * @param temporalPort the started server's gRPC port (ignored with an external target); 0 picks a
   *     free one
   * @param namespace the Temporal namespace runs live in
   * @param temporalUi the external Temporal Web UI's base address, or null
   * @param worker the worker roles' sizing and what the tasks role may run
   * @param temporalMode which server to start when there is no external target
   * @param uiPort the dev server's Web UI port; 0 picks a free one
   * @param stateDir the dev server's folder (SQLite file, log); null means {@code
   *     <home>/.capstan/state}
   * @param temporalCli the {@code temporal} binary to run, or null to look for one as {@link
   *     TemporalCli#locate} says
   * @param security authentication, submit rate, codec origins, shell policy and secrets
   * @param roles the worker roles this process runs; empty for every one
   * @param kube where container tasks run: nowhere (null), the local cluster or an external one
   */
  public record Config(
      String bind,
      int apiPort,
      String temporalTarget,
      int temporalPort,
      String namespace,
      String temporalUi,
      WorkerSettings worker,
      TemporalMode temporalMode,
      int uiPort,
      Path stateDir,
      Path temporalCli,
      SecurityOptions security,
      Set<WorkerRole> roles,
      KubeOptions kube) {

    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_API_PORT = 8080;
    public static final int DEFAULT_TEMPORAL_PORT = DevServer.DEFAULT_PORT;
    public static final int DEFAULT_UI_PORT = DevServer.DEFAULT_UI_PORT;
    public static final String DEFAULT_NAMESPACE = "default";

    public Config {
      bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind;
      temporalTarget = temporalTarget == null || temporalTarget.isBlank() ? null : temporalTarget;
      namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
      temporalUi = temporalUi == null || temporalUi.isBlank() ? null : temporalUi;
      worker = worker == null ? WorkerSettings.defaults(true) : worker;
      temporalMode = temporalMode == null ? TemporalMode.AUTO : temporalMode;
      stateDir =
          (stateDir == null ? CapstanHome.defaultStateDir(CapstanHome.dir()) : stateDir)
              .toAbsolutePath()
              .normalize();
      security = security == null ? SecurityOptions.defaults() : security;
      roles =
          roles == null || roles.isEmpty()
              ? EnumSet.allOf(WorkerRole.class)
              : EnumSet.copyOf(roles);
      kube = kube == null ? KubeOptions.none() : kube;
    }

    /** This configuration running only {@code workerRoles}. */
    public Config withRoles(Set<WorkerRole> workerRoles) {
      return new Config(
          bind,
          apiPort,
          temporalTarget,
          temporalPort,
          namespace,
          temporalUi,
          worker,
          temporalMode,
          uiPort,
          stateDir,
          temporalCli,
          security,
          workerRoles,
          kube);
    }

    /** This configuration with other security options. */
    public Config withSecurity(SecurityOptions newSecurity) {
      return new Config(
          bind,
          apiPort,
          temporalTarget,
          temporalPort,
          namespace,
          temporalUi,
          worker,
          temporalMode,
          uiPort,
          stateDir,
          temporalCli,
          newSecurity,
          roles,
          kube);
    }

    /** This configuration running container tasks where {@code newKube} says. */
    public Config withKube(KubeOptions newKube) {
      return new Config(
          bind,
          apiPort,
          temporalTarget,
          temporalPort,
          namespace,
          temporalUi,
          worker,
          temporalMode,
          uiPort,
          stateDir,
          temporalCli,
          security,
          roles,
          newKube);
    }

    /** The in-process Java test server on the given ports, shell enabled: fast, for tests. */
    public static Config embedded(int apiPort, int temporalPort) {
      return new Config(
          DEFAULT_BIND,
          apiPort,
          null,
          temporalPort,
          DEFAULT_NAMESPACE,
          null,
          WorkerSettings.defaults(true),
          TemporalMode.TEST_SERVER,
          0,
          null,
          null,
          null,
          null,
          null);
    }

    /**
     * The Temporal CLI's dev server on the given ports and state folder, shell enabled: what {@code
     * capstan up} runs by default. The binary is looked for as {@link TemporalCli#locate} says.
     */
    public static Config devServer(int apiPort, int temporalPort, int uiPort, Path stateDir) {
      return devServer(apiPort, temporalPort, uiPort, stateDir, null);
    }

    /** As {@link #devServer(int, int, int, Path)}, running the given {@code temporal} binary. */
    public static Config devServer(
        int apiPort, int temporalPort, int uiPort, Path stateDir, Path temporalCli) {
      return new Config(
          DEFAULT_BIND,
          apiPort,
          null,
          temporalPort,
          DEFAULT_NAMESPACE,
          null,
          WorkerSettings.defaults(true),
          TemporalMode.DEV_SERVER,
          uiPort,
          stateDir,
          temporalCli,
          null,
          null,
          null);
    }

    /** An external Temporal frontend, with its Web UI's address or null, shell enabled. */
    public static Config external(int apiPort, String temporalTarget, String temporalUi) {
      return new Config(
          DEFAULT_BIND,
          apiPort,
          temporalTarget,
          0,
          DEFAULT_NAMESPACE,
          temporalUi,
          WorkerSettings.defaults(true),
          TemporalMode.AUTO,
          0,
          null,
          null,
          null,
          null,
          null);
    }

    /** Whether this process starts the Temporal server (rather than using an external one). */
    public boolean embeddedServer() {
      return temporalTarget == null;
    }
  }

  /** A part of the runtime could not start; the message tells the person what to change. */
  public static final class StartupException extends RuntimeException {
    public StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Config config;
  private final List<String> notes = new ArrayList<>();
  private PrometheusMeterRegistry metrics;
  private Scope metricsScope;
  private TemporalBackend backend;
  private TemporalCli.Found temporalCli;
  private Thread shutdownHook;
  private WorkflowServiceStubs stubs;
  private WorkflowClient client;
  private RoleWorkers workers;
  private RoleWorkers infrastructureWorkers;
  private final Object infrastructureLock = new Object();
  private KubernetesInfrastructure kubernetes;
  private LocalAws localAws;
  private volatile AwsInfo awsInfo = AwsInfo.disabled("no local infrastructure");
  private SimulatedCloud simulatedCloud;
  private SimulatedGpuNodes simulatedGpuNodes;
  private AutoScalingClient simulatedAutoScaling;
  private Ec2Client simulatedEc2;
  private KubeTarget readyCluster;
  private boolean awsSettled = true;
  private Consumer<KubernetesInfo> kubernetesListener = info -> {};
  private Consumer<AwsInfo> awsListener = info -> {};
  private Javalin api;
  private TemporalInfo temporal;
  private volatile Set<ExecutorKind> servedExecutors;
  private RuntimeSecurity security;

  /** Where outputs too large for history go: {@code CAPSTAN_OUTPUT_STORE}, else the state dir's. */
  private OutputStore outputs;

  private final Map<String, String> env;
  private boolean started;
  private volatile boolean closed;

  /** A runtime configured further by this process's environment (tokens, codec keys, secrets). */
  public CapstanRuntime(Config config) {
    this(config, System.getenv());
  }

  /**
   * @param env the environment to read {@code CAPSTAN_TOKENS}, {@code CAPSTAN_AUTH_FILE}, {@code
   *     CAPSTAN_CODEC_KEYS}, {@code CAPSTAN_CODEC_ACTIVE_KEY} and {@code CAPSTAN_SECRET_*} from
   */
  public CapstanRuntime(Config config, Map<String, String> env) {
    this.config = config;
    this.env = Map.copyOf(env);
  }

  /**
   * Starts the server (unless external), registers the search attributes, then starts the worker
   * and the API, in that order, and returns this.
   *
   * @throws StartupException when the security configuration is unsafe or unusable (checked before
   *     anything starts), a port is taken, no server can be started or reached, or the server
   *     refuses Capstan's search attributes; whatever had started is stopped again
   */
  public synchronized CapstanRuntime start() {
    if (started) {
      throw new IllegalStateException("this runtime was already started");
    }
    started = true;
    try {
      security = RuntimeSecurity.resolve(config.security(), config.bind(), env);
      metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      // The SDK tags an Update's requests with update_name and every other request without it;
      // Prometheus wants one set of label names per series, so the label goes (and with it the
      // warning the registry would print at the first Update).
      metrics
          .config()
          .meterFilter(io.micrometer.core.instrument.config.MeterFilter.ignoreTags("update_name"));
      metricsScope =
          new RootScopeBuilder()
              .reporter(new MicrometerClientStatsReporter(metrics))
              .reportEvery(METRICS_REPORT_INTERVAL);
      outputs = OutputStores.of(env.get(OutputStores.STORE_ENV), config.stateDir(), env);
      backend = chooseBackend();
      boolean localCluster =
          config.kube().mode() == KubeOptions.Mode.LOCAL
              && config.roles().contains(WorkerRole.INFRASTRUCTURE);
      if (backend.childProcess() || localCluster) {
        // The runtime stops its child processes (the dev server, the local cluster) itself when
        // the JVM exits, after its workers, so the workers do not lose them while they wind down.
        shutdownHook = new Thread(this::close, "capstan-runtime-stop");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
      }
      temporal = backend.start();
      stubs = TemporalConnection.connect(temporal.address(), metricsScope, "");
      registerSearchAttributes();
      // One data converter for the worker and the API: what one encrypts, the other can read.
      client = TemporalConnection.client(stubs, config.namespace(), security);
      // The infrastructure role starts once its cluster serves (see startInfrastructureWorker).
      Set<WorkerRole> now = EnumSet.noneOf(WorkerRole.class);
      now.addAll(config.roles());
      now.remove(WorkerRole.INFRASTRUCTURE);
      workers = RoleWorkers.start(client, now, workerOptions());
      servedExecutors = workers.executors();
      ServedExecutors discovery =
          new PollerDiscovery(
              stubs, config.namespace(), () -> servedExecutors, new GpuFleetProbe(client));
      awaitOwnWorkers(discovery);
      if (localCluster) {
        // The simulated cloud of simulated clusters comes up beside the local control plane; the
        // infrastructure worker waits for both (moto starts in seconds), so its first cluster
        // finds the cloud there.
        awsSettled = false;
        localAws =
            new LocalAws(
                new LocalAws.Options(
                    config.kube().home(), config.stateDir().resolve("aws"), null, 0, null, false),
                aws -> awsChanged(),
                info -> {
                  awsInfo = awsInfo(info);
                  awsListener.accept(awsInfo);
                  if (info.state() == LocalAws.State.FAILED) {
                    awsChanged();
                  }
                });
        awsInfo = awsInfo(localAws.info());
        localAws.begin();
      }
      kubernetes =
          new KubernetesInfrastructure(
              config.roles().contains(WorkerRole.INFRASTRUCTURE)
                  ? config.kube()
                  : KubeOptions.none(),
              config.stateDir().resolve("kubernetes"),
              this::startInfrastructureWorker,
              info -> kubernetesListener.accept(info));
      kubernetes.begin();
      // Container tasks are accepted while the cluster is on its way: they wait in their task
      // queue, durably, until the infrastructure worker polls it.
      ServedExecutors served =
          () -> {
            Set<ExecutorKind> kinds = EnumSet.noneOf(ExecutorKind.class);
            kinds.addAll(discovery.served());
            if (kubernetes.info().coming()) {
              kinds.add(ExecutorKind.CONTAINER);
            }
            return kinds;
          };
      api =
          ApiApp.create(
              new ApiDependencies(
                      client,
                      temporal,
                      metrics,
                      served,
                      security.api(),
                      new CodecEndpoint(
                          security.codec().map(c -> CapstanDataConverter.chain(Optional.of(c))),
                          config.security().codecOrigins()),
                      outputs)
                  .withKubernetes(kubernetes::info)
                  .withAws(() -> awsInfo));
      startApi();
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Waits until Temporal lists this process's own workers among the pollers, so that the API, which
   * asks Temporal which executors are served, accepts their tasks from its first request.
   */
  private void awaitOwnWorkers(ServedExecutors discovery) {
    long deadline = System.nanoTime() + WORKERS_VISIBLE.toNanos();
    while (!discovery.served().containsAll(servedExecutors)) {
      if (System.nanoTime() > deadline) {
        notes.add(
            "Temporal does not list this process's tasks worker as a poller yet; submissions"
                + " needing "
                + servedExecutors
                + " are refused until it does");
        return;
      }
      try {
        Thread.sleep(WORKERS_POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Starts the infrastructure role on {@code cluster}, once it serves; called by the Kubernetes
   * bring-up (from its own thread for the local cluster).
   */
  private void startInfrastructureWorker(KubeTarget cluster) {
    synchronized (infrastructureLock) {
      readyCluster = cluster;
      maybeStartInfrastructure();
    }
  }

  /** The simulated cloud answered, or failed to start: the infrastructure worker may go. */
  private void awsChanged() {
    synchronized (infrastructureLock) {
      awsSettled = true;
      maybeStartInfrastructure();
    }
  }

  private static AwsInfo awsInfo(LocalAws.Info info) {
    return new AwsInfo(
        "local",
        info.state().name().toLowerCase(java.util.Locale.ROOT),
        info.detail(),
        info.endpoint() == null ? null : info.endpoint().toString(),
        info.region(),
        info.since());
  }

  /**
   * Starts the infrastructure role once its cluster serves and the simulated cloud (when there is
   * one) answered or failed; with both local, starts the simulated cloud's node linker too.
   */
  private void maybeStartInfrastructure() {
    if (closed || readyCluster == null || !awsSettled || infrastructureWorkers != null) {
      return;
    }
    KubeTarget cluster = readyCluster;
    AwsSettings aws = workerOptions().aws();
    if (localAws != null && localAws.info().state() == LocalAws.State.READY) {
      aws = new AwsSettings(aws.awsEndpoint(), localAws.endpoint());
      LocalKubernetes local = kubernetes == null ? null : kubernetes.local();
      if (local != null) {
        simulatedAutoScaling = localAws.client(AutoScalingClient.builder()).build();
        simulatedEc2 = localAws.client(Ec2Client.builder()).build();
        simulatedCloud =
            new SimulatedCloud(
                    simulatedAutoScaling,
                    simulatedEc2,
                    local.adminClient(),
                    SimulatedCloud.Options.defaults())
                .onGpuNodes(simulatedGpuNodes = new SimulatedGpuNodes(client))
                .start();
      }
    }
    infrastructureWorkers =
        RoleWorkers.start(
            client,
            EnumSet.of(WorkerRole.INFRASTRUCTURE),
            workerOptions().withKubernetes(cluster).withAws(aws));
    Set<ExecutorKind> kinds = EnumSet.noneOf(ExecutorKind.class);
    kinds.addAll(workers.executors());
    kinds.addAll(infrastructureWorkers.executors());
    servedExecutors = kinds;
  }

  /**
   * Tells {@code listener} each change of the Kubernetes cluster's state (installing, starting,
   * ready, failed); set before {@link #start()}.
   */
  public CapstanRuntime onKubernetesChange(Consumer<KubernetesInfo> listener) {
    this.kubernetesListener = listener;
    return this;
  }

  /** Tells {@code listener} each change of the simulated cloud's state; call before start. */
  public CapstanRuntime onAwsChange(Consumer<AwsInfo> listener) {
    this.awsListener = listener;
    return this;
  }

  /** The simulated cloud as it stands now. */
  public AwsInfo aws() {
    return awsInfo;
  }

  /** The cluster of container tasks as it stands now. */
  public KubernetesInfo kubernetes() {
    return kubernetes == null
        ? KubernetesInfo.disabled("Capstan has not started")
        : kubernetes.info();
  }

  /** The local control plane, once it runs. */
  public Optional<LocalKubernetes> localKubernetes() {
    return kubernetes == null ? Optional.empty() : Optional.ofNullable(kubernetes.local());
  }

  /** Where outputs too large for history are stored; null before {@link #start()}. */
  public OutputStore outputs() {
    return outputs;
  }

  private WorkerSettings workerOptions() {
    return security.applyTo(config.worker()).withOutputs(outputs);
  }

  /**
   * The Temporal server the config asks for: the external one it names; else the test server when
   * asked for; else the dev server when there is a {@code temporal} binary; else, in auto mode, the
   * test server after all.
   */
  private TemporalBackend chooseBackend() {
    if (!config.embeddedServer()) {
      return new ExternalBackend(config.temporalTarget(), config.namespace(), config.temporalUi());
    }
    TemporalMode mode = config.temporalMode();
    if (mode != TemporalMode.TEST_SERVER) {
      temporalCli = locateTemporalCli().orElse(null);
    }
    if (temporalCli != null) {
      return new DevServerBackend(
          new DevServer.Options(
              temporalCli.binary(),
              DevServer.Options.DEFAULT_HOST,
              config.temporalPort(),
              config.uiPort(),
              0,
              0,
              config.stateDir(),
              config.namespace(),
              null,
              /* stopWithJvm= */ false,
              uiCodecEndpoint().orElse(null)));
    }
    if (mode == TemporalMode.DEV_SERVER) {
      throw new StartupException(
          "the dev server needs the Temporal CLI, and there is no temporal binary (looked at "
              + TemporalCli.searched(CapstanHome.dir())
              + "): run ./"
              + TemporalCli.INSTALL_SCRIPT
              + " (it needs Go), name a binary with --temporal-cli PATH, or use --temporal-mode"
              + " test-server",
          null);
    }
    if (mode == TemporalMode.AUTO) {
      notes.add(
          "no temporal binary was found (looked at "
              + TemporalCli.searched(CapstanHome.dir())
              + "), so Temporal is the Java test server; ./"
              + TemporalCli.INSTALL_SCRIPT
              + " installs the Temporal CLI for the dev server");
    }
    return new TestServerBackend(config.temporalPort(), config.namespace());
  }

  private Optional<TemporalCli.Found> locateTemporalCli() {
    try {
      return TemporalCli.locate(config.temporalCli());
    } catch (IllegalArgumentException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  /**
   * The codec endpoint the dev server's Web UI should decode with: known before the API starts only
   * when its port is fixed.
   */
  private Optional<String> uiCodecEndpoint() {
    if (security.codec().isEmpty()) {
      return Optional.empty();
    }
    if (security.api().enabled()) {
      // The Web UI sends no Capstan token, so with authentication on its calls would be refused.
      notes.add(
          "the Web UI shows payloads encrypted: with authentication on it cannot call "
              + CodecController.PATH
              + " (it sends no Capstan token); `temporal workflow show --codec-endpoint` with"
              + " --codec-auth 'Bearer TOKEN' decodes them");
      return Optional.empty();
    }
    if (config.apiPort() == 0) {
      notes.add(
          "the Web UI cannot decode encrypted payloads: the API's port was picked at random, so"
              + " the dev server could not be given --ui-codec-endpoint");
      return Optional.empty();
    }
    return Optional.of(apiBase(config.apiPort()) + CodecController.PATH);
  }

  private void registerSearchAttributes() {
    try {
      List<String> added = CapstanSearchAttributes.register(stubs, config.namespace());
      if (!added.isEmpty()) {
        log.info("registered search attributes {} in namespace {}", added, config.namespace());
      }
    } catch (CapstanSearchAttributes.RegistrationException e) {
      if (config.embeddedServer()) {
        throw new StartupException(e.getMessage(), e);
      }
      // An external cluster may reserve this to its operators (Temporal Cloud does); say so and
      // go on, since they may have registered the attributes already.
      log.warn(e.getMessage());
      notes.add(e.getMessage());
    }
  }

  private void startApi() {
    try {
      api.start(config.bind(), config.apiPort());
    } catch (RuntimeException e) {
      if (bindFailure(e)) {
        throw new StartupException(
            "cannot listen on "
                + config.bind()
                + ":"
                + config.apiPort()
                + " (in use, or not an address of this machine): pick another with --port or"
                + " --bind",
            e);
      }
      throw e;
    }
  }

  /** The API's base address, e.g. {@code http://127.0.0.1:8080}. */
  public String apiUrl() {
    return apiBase(apiPort());
  }

  private String apiBase(int port) {
    String host = config.bind();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port;
  }

  /** The port the API listens on (the one picked when the config said 0). */
  public int apiPort() {
    return api.port();
  }

  public TemporalInfo temporal() {
    return temporal;
  }

  public WorkflowClient client() {
    return client;
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  /** The executors this process's own worker roles run (others may run elsewhere). */
  public Set<ExecutorKind> servedExecutors() {
    return servedExecutors;
  }

  /** The security this runtime resolved at start: authentication, codec, shell policy, secrets. */
  public RuntimeSecurity security() {
    return security;
  }

  /** The codec endpoint's address, for {@code --ui-codec-endpoint}; empty without a codec. */
  public Optional<String> codecEndpoint() {
    return security.codec().isPresent()
        ? Optional.of(apiUrl() + CodecController.PATH)
        : Optional.empty();
  }

  public Config config() {
    return config;
  }

  /** The dev server this runtime started, if it started one. */
  public Optional<DevServer> devServer() {
    return backend == null ? Optional.empty() : backend.devServer();
  }

  /** The {@code temporal} binary the dev server runs from, if there is a dev server. */
  public Optional<TemporalCli.Found> temporalCli() {
    return devServer().isPresent() ? Optional.ofNullable(temporalCli) : Optional.empty();
  }

  /** Things a person should know about this start (a fallback, a warning), one per line. */
  public List<String> notes() {
    return List.copyOf(notes);
  }

  /** Stops everything that started; safe to call more than once and after a failed start. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (api != null) {
      quietly("API", api::stop);
    }
    if (workers != null) {
      quietly("workers", () -> workers.stop(STOP_GRACE));
    }
    synchronized (infrastructureLock) {
      if (infrastructureWorkers != null) {
        quietly("infrastructure workers", () -> infrastructureWorkers.stop(STOP_GRACE));
      }
    }
    if (simulatedCloud != null) {
      quietly("simulated cloud", simulatedCloud::close);
    }
    if (simulatedGpuNodes != null) {
      quietly("simulated GPU nodes", simulatedGpuNodes::close);
    }
    if (simulatedAutoScaling != null) {
      quietly("simulated cloud clients", simulatedAutoScaling::close);
      quietly("simulated cloud clients", simulatedEc2::close);
    }
    if (localAws != null) {
      quietly("moto", localAws::close);
    }
    if (kubernetes != null) {
      quietly("Kubernetes", kubernetes::close);
    }
    if (stubs != null) {
      quietly("Temporal connection", this::stopStubs);
    }
    if (metricsScope != null) {
      quietly("SDK metrics", metricsScope::close);
    }
    if (backend != null) {
      quietly("Temporal server", backend::close);
    }
    if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
      quietly("shutdown hook", this::removeShutdownHook);
    }
    if (metrics != null) {
      quietly("metrics registry", metrics::close);
    }
  }

  private void removeShutdownHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // The JVM is exiting and runs the hook; close() already did its work, so it returns at once.
    }
  }

  private void stopStubs() throws InterruptedException {
    stubs.shutdown();
    if (!stubs.awaitTermination(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
      stubs.shutdownNow();
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void quietly(String part, Step step) {
    try {
      step.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      // One part failing to stop must not keep the others running.
      log.warn("stopping the {} failed: {}", part, e.toString());
    }
  }

  /**
   * Whether {@code error} says a port was taken. gRPC's Netty transport reports it as an
   * IOException of its own rather than a {@link BindException}, so the message counts too.
   */
  static boolean bindFailure(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof BindException
          || message.contains("Address already in use")
          || message.contains("Failed to bind")) {
        return true;
      }
    }
    return false;
  }
}
