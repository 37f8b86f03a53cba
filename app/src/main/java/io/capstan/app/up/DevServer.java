package io.capstan.app.up;

import io.capstan.app.process.ManagedProcess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal dev server ({@code temporal server start-dev}) run as a {@link ManagedProcess}: a real
 * Temporal server with a SQLite file (runs survive a restart), visibility, Schedules and the Web
 * UI, on loopback.
 *
 * <p>Its files live in the state folder: {@value #DB_FILE} (the SQLite store), {@value #LOG_FILE}
 * (the server's output, appended on every start) and {@value #PID_FILE} (which process serves the
 * folder, and for which Capstan process). {@link #close()} stops it with SIGTERM, then SIGKILL
 * after a grace period; so does a JVM shutdown hook, unless the caller stops it in its own hook. A
 * server left behind by a Capstan process that was killed outright is stopped by the next start on
 * the same folder.
 */
public final class DevServer implements AutoCloseable {
  public static final String DB_FILE = "temporal.db";
  public static final String LOG_FILE = "temporal.log";
  public static final String PID_FILE = "temporal.pid";
  public static final int DEFAULT_PORT = 7233;
  public static final int DEFAULT_UI_PORT = 8233;

  static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final String NAME = "Temporal dev server";
  private static final String FILE_STEM = "temporal";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private static final String FRONTEND = "frontend";
  private static final String UI = "ui";
  private static final String HTTP = "http";
  private static final String METRICS = "metrics";

  /**
   * How to start the server.
   *
   * @param binary the {@code temporal} executable
   * @param host the loopback address every port binds to
   * @param port the frontend's gRPC port; 0 picks a free one
   * @param uiPort the Web UI's port; 0 picks a free one
   * @param httpPort the frontend's HTTP API port; 0 picks a free one
   * @param metricsPort the server's {@code /metrics} port; 0 picks a free one
   * @param stateDir the folder for the SQLite file, the log and the pid file
   * @param namespace a namespace to create besides {@code default}
   * @param startTimeout how long to wait for the frontend and the UI to answer
   * @param stopWithJvm whether a JVM shutdown hook stops the server; a caller that stops it from
   *     its own hook (after its workers) turns this off
   * @param uiCodecEndpoint the codec server the Web UI decodes payloads with ({@code
   *     --ui-codec-endpoint}), or null for none
   */
  public record Options(
      Path binary,
      String host,
      int port,
      int uiPort,
      int httpPort,
      int metricsPort,
      Path stateDir,
      String namespace,
      Duration startTimeout,
      boolean stopWithJvm,
      String uiCodecEndpoint) {
    public static final String DEFAULT_HOST = ManagedProcess.LOOPBACK;
    public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

    public Options {
      if (binary == null) {
        throw new IllegalArgumentException("the dev server needs a temporal binary");
      }
      if (stateDir == null) {
        throw new IllegalArgumentException("the dev server needs a state folder");
      }
      host = host == null || host.isBlank() ? DEFAULT_HOST : host;
      namespace = namespace == null || namespace.isBlank() ? "default" : namespace;
      startTimeout = startTimeout == null ? DEFAULT_START_TIMEOUT : startTimeout;
      stateDir = stateDir.toAbsolutePath().normalize();
      uiCodecEndpoint =
          uiCodecEndpoint == null || uiCodecEndpoint.isBlank() ? null : uiCodecEndpoint;
    }

    /** Loopback, the given ports, namespace {@code default}, stopped with the JVM. */
    public static Options of(Path binary, int port, int uiPort, Path stateDir) {
      return new Options(
          binary, DEFAULT_HOST, port, uiPort, 0, 0, stateDir, null, null, true, null);
    }
  }

  private final Options options;
  private final ManagedProcess process;

  private DevServer(Options options, ManagedProcess process) {
    this.options = options;
    this.process = process;
  }

  /**
   * Starts the server and waits until its frontend serves the namespace and its Web UI answers.
   *
   * @throws CapstanRuntime.StartupException when a port is taken, the state folder is in use by
   *     another Capstan, or the server exits or does not answer in time (the message carries the
   *     end of its log); the process is stopped again
   */
  public static DevServer start(Options options) {
    try {
      ManagedProcess process =
          ManagedProcess.builder(NAME, options.stateDir(), FILE_STEM)
              .host(options.host())
              .port(FRONTEND, options.port())
              .port(UI, options.uiPort())
              .port(HTTP, options.httpPort())
              .port(METRICS, options.metricsPort())
              .command(ports -> command(options, ports))
              .readiness(ports -> new Probe(options.namespace(), ports))
              .startTimeout(options.startTimeout())
              .stopGrace(STOP_GRACE)
              .stopWithJvm(options.stopWithJvm())
              .start();
      return new DevServer(options, process);
    } catch (ManagedProcess.PortInUseException e) {
      throw new CapstanRuntime.StartupException(portInUse(e), e);
    } catch (ManagedProcess.StartException e) {
      throw new CapstanRuntime.StartupException(e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new CapstanRuntime.StartupException(e.getMessage(), e);
    }
  }

  private static List<String> command(Options options, ManagedProcess.Ports ports) {
    List<String> command =
        new ArrayList<>(
            List.of(
                options.binary().toString(),
                "server",
                "start-dev",
                "--ip",
                options.host(),
                "--port",
                Integer.toString(ports.get(FRONTEND)),
                "--ui-port",
                Integer.toString(ports.get(UI)),
                "--http-port",
                Integer.toString(ports.get(HTTP)),
                "--metrics-port",
                Integer.toString(ports.get(METRICS)),
                "--db-filename",
                options.stateDir().resolve(DB_FILE).toString(),
                "--log-level",
                "warn"));
    if (!options.namespace().equals("default")) {
      command.addAll(List.of("--namespace", options.namespace()));
    }
    if (options.uiCodecEndpoint() != null) {
      command.addAll(List.of("--ui-codec-endpoint", options.uiCodecEndpoint()));
    }
    command.addAll(CapstanSearchAttributes.startDevFlags());
    command.addAll(
        List.of("--dynamic-config-value", TRANSFER_POLL_RPS + "=" + TRANSFER_POLL_RPS_VALUE));
    return command;
  }

  /**
   * How often, per shard and second, the history service may load new transfer tasks: every
   * activity and workflow task a run schedules waits for such a load before matching can hand it to
   * a poller. The server's default, 20, suits clusters of hundreds of shards; on one shard it puts
   * ~40 ms into each dispatch, ~80 of the ~100 ms a chain step took (docs/benchmarks.md). 200
   * brings a step to ~25 ms, and loads stay driven by new tasks, so an idle server reads no more.
   */
  static final String TRANSFER_POLL_RPS = "history.transferProcessorMaxPollRPS";

  static final int TRANSFER_POLL_RPS_VALUE = 200;

  /** The message for a taken port, naming the flag that moves it where a person can pick one. */
  private static String portInUse(ManagedProcess.PortInUseException e) {
    String flag =
        switch (e.portName()) {
          case FRONTEND -> "--temporal-port";
          case UI -> "--ui-port";
          default -> null;
        };
    return e.getMessage()
        + ", so the Temporal dev server cannot start (is another Temporal or `capstan up`"
        + " running?)"
        + (flag == null
            ? ""
            : ": pick another with " + flag + ", or use that server with --temporal HOST:PORT");
  }

  /** {@code host:port} of the gRPC frontend. */
  public String address() {
    return process.ports().address(FRONTEND);
  }

  /** The Web UI's base address, e.g. {@code http://127.0.0.1:8233}. */
  public String uiUrl() {
    return "http://" + process.ports().address(UI);
  }

  /** The server's Prometheus endpoint. */
  public String metricsUrl() {
    return "http://" + process.ports().address(METRICS) + "/metrics";
  }

  public int port() {
    return process.ports().get(FRONTEND);
  }

  public int uiPort() {
    return process.ports().get(UI);
  }

  /** The options it was started with. */
  public Options options() {
    return options;
  }

  public Path dbFile() {
    return options.stateDir().resolve(DB_FILE);
  }

  public Path logFile() {
    return process.logFile();
  }

  public Path pidFile() {
    return process.pidFile();
  }

  /** The server process's id. */
  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** The command line the server was started with. */
  public List<String> command() {
    return process.command();
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period); safe to call again. */
  @Override
  public void close() {
    process.close();
  }

  /**
   * Ready means each of the server's services answers, and so does the Web UI. The frontend alone
   * is not enough: a restarted server can answer it before history and matching have settled on the
   * same SQLite file.
   */
  private static final class Probe implements ManagedProcess.Readiness {
    private final String namespace;
    private final String address;
    private final String uiUrl;
    private final WorkflowServiceStubs stubs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();

    Probe(String namespace, ManagedProcess.Ports ports) {
      this.namespace = namespace;
      this.address = ports.address(FRONTEND);
      this.uiUrl = "http://" + ports.address(UI);
      this.stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    }

    @Override
    public Optional<String> awaiting() throws InterruptedException {
      try {
        services();
      } catch (StatusRuntimeException notYet) {
        return Optional.of("its frontend at " + address);
      }
      try {
        http.send(
            HttpRequest.newBuilder(URI.create(uiUrl)).timeout(PROBE_TIMEOUT).build(),
            HttpResponse.BodyHandlers.discarding());
        return Optional.empty();
      } catch (IOException notYet) {
        return Optional.of("its Web UI at " + uiUrl);
      }
    }

    /**
     * Asks the frontend (the namespace), history (a workflow that does not exist) and matching (a
     * task queue) something.
     *
     * @throws StatusRuntimeException while some service is not ready
     */
    private void services() {
      var stub = stubs.blockingStub();
      stub.withDeadlineAfter(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(namespace).build());
      try {
        stub.withDeadlineAfter(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(
                        WorkflowExecution.newBuilder().setWorkflowId("capstan-readiness-probe"))
                    .build());
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
          throw e;
        }
      }
      stub.withDeadlineAfter(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
          .describeTaskQueue(
              DescribeTaskQueueRequest.newBuilder()
                  .setNamespace(namespace)
                  .setTaskQueue(TaskQueue.newBuilder().setName("capstan-readiness-probe"))
                  .build());
    }

    @Override
    public void close() {
      stubs.shutdownNow();
    }
  }
}
