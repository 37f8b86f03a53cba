package io.capstan.app.up;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.taskqueue.v1.TaskQueue;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.DescribeTaskQueueRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Temporal dev server ({@code temporal server start-dev}) run as a child process: a real Temporal
 * server with a SQLite file (runs survive a restart), visibility, Schedules and the Web UI, bound
 * to one address.
 *
 * <p>Its files live in the state folder: {@value #DB_FILE} (the SQLite store), {@value #LOG_FILE}
 * (the server's output, appended on every start) and {@value #PID_FILE} (which process serves the
 * folder, and for which Capstan process). {@link #close()} stops it with SIGTERM, then SIGKILL
 * after a grace period; so does a JVM shutdown hook, unless the caller stops it in its own hook. A
 * server left behind by a Capstan process that was killed outright is stopped by the next start on
 * the same folder.
 */
public final class DevServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DevServer.class);

  public static final String DB_FILE = "temporal.db";
  public static final String LOG_FILE = "temporal.log";
  public static final String PID_FILE = "temporal.pid";
  public static final int DEFAULT_PORT = 7233;
  public static final int DEFAULT_UI_PORT = 8233;

  static final Duration STOP_GRACE = Duration.ofSeconds(10);
  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);
  private static final int LOG_TAIL_LINES = 30;

  /**
   * How to start the server.
   *
   * @param binary the {@code temporal} executable
   * @param host the address every port binds to
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
    public static final String DEFAULT_HOST = "127.0.0.1";
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

    /** Options without a codec endpoint for the Web UI. */
    public Options(
        Path binary,
        String host,
        int port,
        int uiPort,
        int httpPort,
        int metricsPort,
        Path stateDir,
        String namespace,
        Duration startTimeout,
        boolean stopWithJvm) {
      this(
          binary,
          host,
          port,
          uiPort,
          httpPort,
          metricsPort,
          stateDir,
          namespace,
          startTimeout,
          stopWithJvm,
          null);
    }

    /** Loopback, the given ports, namespace {@code default}, stopped with the JVM. */
    public static Options of(Path binary, int port, int uiPort, Path stateDir) {
      return new Options(
          binary, DEFAULT_HOST, port, uiPort, 0, 0, stateDir, null, null, /* stopWithJvm= */ true);
    }
  }

  private final Options options;
  private final Process process;
  private final List<String> command;
  private final int port;
  private final int uiPort;
  private final int metricsPort;
  private final Thread shutdownHook;
  private boolean closed;

  private DevServer(
      Options options, Process process, List<String> command, int port, int uiPort, int metrics) {
    this.options = options;
    this.process = process;
    this.command = command;
    this.port = port;
    this.uiPort = uiPort;
    this.metricsPort = metrics;
    this.shutdownHook =
        options.stopWithJvm() ? new Thread(this::stopProcess, "capstan-dev-server-stop") : null;
  }

  /**
   * Starts the server and waits until its frontend serves the namespace and its Web UI answers.
   *
   * @throws CapstanRuntime.StartupException when a port is taken, the state folder is in use by
   *     another Capstan, or the server exits or does not answer in time (the message carries the
   *     end of its log); the process is stopped again
   */
  public static DevServer start(Options options) {
    Path state = options.stateDir();
    try {
      Files.createDirectories(state);
    } catch (IOException e) {
      throw new CapstanRuntime.StartupException(
          "cannot create the state folder " + state + ": " + e, e);
    }
    stopLeftover(state);
    int port = portOrFree(options.host(), options.port(), "--temporal-port");
    int uiPort = portOrFree(options.host(), options.uiPort(), "--ui-port");
    int httpPort = portOrFree(options.host(), options.httpPort(), null);
    int metricsPort = portOrFree(options.host(), options.metricsPort(), null);

    List<String> command = new ArrayList<>();
    setsid().ifPresent(command::add);
    command.addAll(
        List.of(
            options.binary().toString(),
            "server",
            "start-dev",
            "--ip",
            options.host(),
            "--port",
            Integer.toString(port),
            "--ui-port",
            Integer.toString(uiPort),
            "--http-port",
            Integer.toString(httpPort),
            "--metrics-port",
            Integer.toString(metricsPort),
            "--db-filename",
            state.resolve(DB_FILE).toString(),
            "--log-level",
            "warn"));
    if (!options.namespace().equals("default")) {
      command.addAll(List.of("--namespace", options.namespace()));
    }
    if (options.uiCodecEndpoint() != null) {
      command.addAll(List.of("--ui-codec-endpoint", options.uiCodecEndpoint()));
    }
    command.addAll(CapstanSearchAttributes.startDevFlags());

    Path logFile = state.resolve(LOG_FILE);
    long logStart =
        appendLine(logFile, "capstan: " + Instant.now() + " " + String.join(" ", command));
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(state.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
    } catch (IOException e) {
      throw new CapstanRuntime.StartupException(
          "cannot run " + options.binary() + " (the Temporal CLI): " + e.getMessage(), e);
    }
    DevServer server = new DevServer(options, process, command, port, uiPort, metricsPort);
    try {
      server.writePidFile();
      if (server.shutdownHook != null) {
        Runtime.getRuntime().addShutdownHook(server.shutdownHook);
      }
      server.awaitReady(logStart);
      return server;
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** {@code host:port} of the gRPC frontend. */
  public String address() {
    return hostForUrl() + ":" + port;
  }

  /** The Web UI's base address, e.g. {@code http://127.0.0.1:8233}. */
  public String uiUrl() {
    return "http://" + hostForUrl() + ":" + uiPort;
  }

  /** The server's Prometheus endpoint. */
  public String metricsUrl() {
    return "http://" + hostForUrl() + ":" + metricsPort + "/metrics";
  }

  public int port() {
    return port;
  }

  public int uiPort() {
    return uiPort;
  }

  public Path dbFile() {
    return options.stateDir().resolve(DB_FILE);
  }

  public Path logFile() {
    return options.stateDir().resolve(LOG_FILE);
  }

  public Path pidFile() {
    return options.stateDir().resolve(PID_FILE);
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
    return command;
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period); safe to call again. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running or about to; stopping twice is harmless.
      }
    }
    stopProcess();
  }

  private synchronized void stopProcess() {
    stop(process.toHandle());
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      log.warn("cannot delete {}: {}", pidFile(), e.toString());
    }
  }

  /** SIGTERM, a grace period for the server to finish its writes, then SIGKILL. */
  private static void stop(ProcessHandle handle) {
    if (!handle.isAlive()) {
      return;
    }
    handle.destroy();
    if (!awaitExit(handle, STOP_GRACE)) {
      log.warn(
          "the Temporal dev server (pid {}) did not stop within {} s; killing it",
          handle.pid(),
          STOP_GRACE.toSeconds());
      handle.destroyForcibly();
      awaitExit(handle, KILL_WAIT);
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return !handle.isAlive();
    } catch (java.util.concurrent.ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private void awaitReady(long logStart) {
    Instant deadline = Instant.now().plus(options.startTimeout());
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
    try {
      while (true) {
        failIfExited(logStart);
        try {
          probe(stubs);
          break;
        } catch (StatusRuntimeException notYet) {
          failIfLate(deadline, "its frontend at " + address(), logStart);
          pause();
        }
      }
    } finally {
      stubs.shutdownNow();
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(PROBE_TIMEOUT).build();
    HttpRequest ui = HttpRequest.newBuilder(URI.create(uiUrl())).timeout(PROBE_TIMEOUT).build();
    while (true) {
      failIfExited(logStart);
      try {
        http.send(ui, HttpResponse.BodyHandlers.discarding());
        return;
      } catch (IOException notYet) {
        failIfLate(deadline, "its Web UI at " + uiUrl(), logStart);
        pause();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CapstanRuntime.StartupException("interrupted while the dev server started", e);
      }
    }
  }

  /**
   * Asks each of the server's services something: the frontend (the namespace), history (a workflow
   * that does not exist) and matching (a task queue). A restarted server can answer the first
   * before the others have settled on the same SQLite file.
   *
   * @throws StatusRuntimeException while some service is not ready
   */
  private void probe(WorkflowServiceStubs stubs) {
    var stub = stubs.blockingStub();
    String namespace = options.namespace();
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

  private void failIfExited(long logStart) {
    if (!process.isAlive()) {
      throw new CapstanRuntime.StartupException(
          "the Temporal dev server exited with code "
              + process.exitValue()
              + " before it served "
              + address()
              + "; "
              + logTail(logStart),
          null);
    }
  }

  private void failIfLate(Instant deadline, String what, long logStart) {
    if (Instant.now().isAfter(deadline)) {
      throw new CapstanRuntime.StartupException(
          "the Temporal dev server did not serve "
              + what
              + " within "
              + options.startTimeout().toSeconds()
              + " s; "
              + logTail(logStart),
          null);
    }
  }

  private static void pause() {
    try {
      Thread.sleep(PROBE_INTERVAL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CapstanRuntime.StartupException("interrupted while the dev server started", e);
    }
  }

  /** The end of what the server wrote since {@code offset}, for an error message. */
  private String logTail(long offset) {
    Path file = logFile();
    try (RandomAccessFile in = new RandomAccessFile(file.toFile(), "r")) {
      long length = in.length();
      byte[] bytes = new byte[(int) Math.max(0, Math.min(length - offset, 64 * 1024))];
      in.seek(length - bytes.length);
      in.readFully(bytes);
      List<String> lines =
          Arrays.asList(new String(bytes, StandardCharsets.UTF_8).strip().split("\n"));
      List<String> tail = lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size());
      if (bytes.length == 0 || (tail.size() == 1 && tail.get(0).isBlank())) {
        return "it wrote nothing to " + file;
      }
      return "the end of " + file + ":\n  " + String.join("\n  ", tail);
    } catch (IOException e) {
      return "its log " + file + " cannot be read: " + e;
    }
  }

  private String hostForUrl() {
    String host = options.host();
    if (host.equals("0.0.0.0")) {
      return "127.0.0.1";
    }
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  private void writePidFile() {
    Properties pids = new Properties();
    pids.setProperty("server", Long.toString(process.pid()));
    pids.setProperty("owner", Long.toString(ProcessHandle.current().pid()));
    try (Writer out = Files.newBufferedWriter(pidFile())) {
      pids.store(out, "the Temporal dev server serving this folder, and the Capstan that owns it");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Deals with a server a previous start left in this folder: refuses when its Capstan still runs
   * (two servers on one SQLite file lock each other out), and stops it when that Capstan is gone
   * (it was killed before it could stop its server).
   */
  private static void stopLeftover(Path state) {
    Path pidFile = state.resolve(PID_FILE);
    if (!Files.exists(pidFile)) {
      return;
    }
    Properties pids = new Properties();
    try (var in = Files.newBufferedReader(pidFile)) {
      pids.load(in);
    } catch (IOException | IllegalArgumentException e) {
      log.warn("ignoring unreadable {}: {}", pidFile, e.toString());
      return;
    }
    Optional<ProcessHandle> server = live(pids.getProperty("server"));
    Optional<ProcessHandle> owner = live(pids.getProperty("owner"));
    String db = state.resolve(DB_FILE).toString();
    boolean serverIsOurs =
        server
            .flatMap(h -> h.info().commandLine())
            .map(line -> line.contains("start-dev") && line.contains(db))
            .orElse(false);
    if (serverIsOurs && owner.isPresent()) {
      throw new CapstanRuntime.StartupException(
          "the state folder "
              + state
              + " is in use by the Temporal dev server of another running Capstan (pid "
              + owner.get().pid()
              + "): stop that one, or pick another folder with --state-dir (if that process is"
              + " not Capstan, delete "
              + pidFile
              + ")",
          null);
    }
    if (serverIsOurs) {
      log.warn(
          "stopping the Temporal dev server (pid {}) a previous Capstan left running on {}",
          server.get().pid(),
          db);
      stop(server.get());
    }
    try {
      Files.deleteIfExists(pidFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Optional<ProcessHandle> live(String pid) {
    try {
      return pid == null
          ? Optional.empty()
          : ProcessHandle.of(Long.parseLong(pid.trim())).filter(ProcessHandle::isAlive);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /**
   * {@code port} after checking nobody listens on it, or a free port when it is 0.
   *
   * @param flag the flag that changes this port, named in the error; null for ports nobody asks for
   *     by hand
   */
  private static int portOrFree(String host, int port, String flag) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new CapstanRuntime.StartupException(
          "port "
              + port
              + " on "
              + host
              + " is in use, so the Temporal dev server cannot start (is another Temporal or"
              + " `capstan up` running?)"
              + (flag == null
                  ? ""
                  : ": pick another with "
                      + flag
                      + ", or use that server with --temporal HOST:PORT"),
          e);
    }
  }

  /**
   * {@code setsid}, where the system has it, so the server runs in its own session: Ctrl-C in the
   * terminal then reaches Capstan alone, which stops its workers before the server.
   */
  private static Optional<String> setsid() {
    for (String dir : List.of("/usr/bin", "/bin")) {
      Path candidate = Path.of(dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }

  /** Appends a line to the log and returns the log's length after it. */
  private static long appendLine(Path logFile, String line) {
    try {
      Files.writeString(
          logFile,
          line + System.lineSeparator(),
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      return Files.size(logFile);
    } catch (IOException e) {
      throw new CapstanRuntime.StartupException("cannot write " + logFile + ": " + e, e);
    }
  }
}
