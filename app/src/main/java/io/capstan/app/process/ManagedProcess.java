package io.capstan.app.process;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child process this JVM starts, watches and stops: a local server such as the Temporal dev
 * server, moto, etcd, kube-apiserver or kwok, listening on loopback only.
 *
 * <p>Its files live in its state folder and are named after its stem: {@code STEM.log} takes
 * everything it prints (appended on every start, after a line naming the command) and {@code
 * STEM.pid} says which process serves the folder and which JVM owns it. {@link Builder#start()}
 * returns once the readiness check passes; a process that exits first, or is not ready in time,
 * fails the start with the end of its log, and is stopped. {@link #close()} stops it with SIGTERM,
 * then SIGKILL after a grace period; so does a JVM shutdown hook, unless the owner stops it from a
 * hook of its own. A process left behind by an owner that was killed outright is stopped by the
 * next start on the same folder; one whose owner still runs makes that start fail instead.
 */
public final class ManagedProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagedProcess.class);

  /** The loopback address child processes listen on unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  private static final Duration KILL_WAIT = Duration.ofSeconds(5);
  private static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

  /**
   * Tells whether the process serves yet; called again and again while it starts, and closed once
   * the start returned or failed, so a check may keep a client between calls.
   */
  @FunctionalInterface
  public interface Readiness extends AutoCloseable {
    /**
     * Looks once.
     *
     * @return empty once the process serves; else what it does not serve yet, such as {@code its
     *     Web UI at http://127.0.0.1:8233}, which the error of a failed start names
     */
    Optional<String> awaiting() throws InterruptedException;

    /** Releases what the check holds; nothing by default. */
    @Override
    default void close() {}
  }

  /**
   * The loopback address and ports a process was started with.
   *
   * @param host the address every port is on
   * @param byName each port by the name it was asked for with; a port asked for as 0 is the free
   *     one picked for it
   */
  public record Ports(String host, Map<String, Integer> byName) {
    public Ports {
      byName = Map.copyOf(byName);
    }

    /**
     * The port asked for as {@code name}.
     *
     * @throws IllegalArgumentException when no port has that name
     */
    public int get(String name) {
      Integer port = byName.get(name);
      if (port == null) {
        throw new IllegalArgumentException("no port named " + name + " (there are " + byName + ")");
      }
      return port;
    }

    /** {@code host:port} of the port asked for as {@code name}, the host bracketed if IPv6. */
    public String address(String name) {
      boolean bare = host.contains(":") && !host.startsWith("[");
      return (bare ? "[" + host + "]" : host) + ":" + get(name);
    }
  }

  /** A start failed; the message says why, with the end of the process's log once it has one. */
  public static class StartException extends RuntimeException {
    public StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A port the process was to listen on is taken; the message names it. */
  public static final class PortInUseException extends StartException {
    private final String portName;
    private final String host;
    private final int port;

    PortInUseException(String name, String host, int port, Throwable cause) {
      super("port " + port + " on " + host + " is in use", cause);
      this.portName = name;
      this.host = host;
      this.port = port;
    }

    /** The name the port was asked for with. */
    public String portName() {
      return portName;
    }

    public String host() {
      return host;
    }

    public int port() {
      return port;
    }
  }

  /**
   * Starts describing a process.
   *
   * @param name what to call it in messages and logs, e.g. {@code Temporal dev server}
   * @param stateDir its folder: working directory, log and pid file (created when missing)
   * @param stem the name of its log ({@code STEM.log}) and pid file ({@code STEM.pid})
   */
  public static Builder builder(String name, Path stateDir, String stem) {
    return new Builder(name, stateDir, stem);
  }

  /** How to start a process; {@link #start()} starts it. */
  public static final class Builder {
    private final String name;
    private final Path stateDir;
    private final String stem;
    private String host = LOOPBACK;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private Function<Ports, List<String>> command;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Function<Ports, Readiness> readiness;
    private Duration startTimeout = Duration.ofSeconds(60);
    private Duration stopGrace = Duration.ofSeconds(10);
    private boolean stopWithJvm = true;
    private boolean ownSession = true;

    private Builder(String name, Path stateDir, String stem) {
      if (name == null || name.isBlank() || stem == null || stem.isBlank()) {
        throw new IllegalArgumentException("a managed process needs a name and a file stem");
      }
      if (stateDir == null) {
        throw new IllegalArgumentException("the " + name + " needs a state folder");
      }
      this.name = name;
      this.stateDir = stateDir.toAbsolutePath().normalize();
      this.stem = stem;
    }

    /**
     * The address its ports are on (default {@value ManagedProcess#LOOPBACK}).
     *
     * @throws IllegalArgumentException when it is not a loopback address: child processes serve
     *     this machine alone
     */
    public Builder host(String loopbackHost) {
      this.host = requireLoopback(loopbackHost);
      return this;
    }

    /**
     * A port the process listens on, checked to be free before it starts.
     *
     * @param portName how the command line and readiness check find it in {@link Ports}
     * @param port the port, or 0 for a free one
     */
    public Builder port(String portName, int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException(portName + " port " + port + " is out of range");
      }
      ports.put(portName, port);
      return this;
    }

    /** The command line, given the ports it is to listen on. */
    public Builder command(Function<Ports, List<String>> commandForPorts) {
      this.command = commandForPorts;
      return this;
    }

    /** A command line that names no port. */
    public Builder command(List<String> fixed) {
      List<String> copy = List.copyOf(fixed);
      return command(ports -> copy);
    }

    /** Variables added to the environment it inherits from this JVM. */
    public Builder environment(Map<String, String> variables) {
      environment.putAll(variables);
      return this;
    }

    /**
     * How to tell it is ready, given its ports. Without a check the start returns as soon as the
     * process runs, and a process that ends by itself (a tool rather than a server) is no error.
     */
    public Builder readiness(Function<Ports, Readiness> checkForPorts) {
      this.readiness = checkForPorts;
      return this;
    }

    /** How long {@link #start()} waits for the readiness check to pass (default 60 s). */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    /** How long a stop waits after SIGTERM before it sends SIGKILL (default 10 s). */
    public Builder stopGrace(Duration grace) {
      this.stopGrace = grace;
      return this;
    }

    /**
     * Whether a JVM shutdown hook stops the process (default yes). An owner that must stop other
     * things first (workers before their server) turns this off and stops it in its own hook.
     */
    public Builder stopWithJvm(boolean stop) {
      this.stopWithJvm = stop;
      return this;
    }

    /**
     * Whether it runs in a session of its own, through {@code setsid} where the system has it
     * (default yes): Ctrl-C in a terminal then reaches the owner alone, which stops its children in
     * its own order.
     */
    public Builder ownSession(boolean own) {
      this.ownSession = own;
      return this;
    }

    private PidFile pidFile() {
      return new PidFile(stateDir.resolve(stem + ".pid"), name);
    }

    /**
     * Stops a leftover of an earlier owner, claims the ports, starts the process, and waits until
     * it is ready.
     *
     * @throws PortInUseException when someone listens on one of the ports
     * @throws StartException when the state folder cannot be written or is in use by a process
     *     whose owner still runs, the process cannot be run, or it exits or is not ready in time
     *     (the message carries the end of its log); a started process is stopped again
     */
    public ManagedProcess start() {
      if (command == null) {
        throw new IllegalStateException("the " + name + " has no command");
      }
      try {
        Files.createDirectories(stateDir);
      } catch (IOException e) {
        throw new StartException("cannot create the state folder " + stateDir + ": " + e, e);
      }
      PidFile pidFile = pidFile();
      pidFile.clearLeftover(stateDir, stopGrace);
      Ports claimed = claimPorts();
      List<String> line = List.copyOf(command.apply(claimed));
      List<String> spawned = new ArrayList<>();
      if (ownSession) {
        setsid().ifPresent(spawned::add);
      }
      spawned.addAll(line);
      ProcessLog log = new ProcessLog(stateDir.resolve(stem + ".log"));
      long logStart = log.openStart(line);
      ProcessBuilder builder =
          new ProcessBuilder(spawned)
              .directory(stateDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.path().toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().putAll(environment);
      Process process;
      try {
        process = builder.start();
      } catch (IOException e) {
        throw new StartException("cannot run the " + name + ": " + e.getMessage(), e);
      }
      ManagedProcess started =
          new ManagedProcess(this, process, line, claimed, pidFile, log, logStart);
      try {
        pidFile.write(process.toHandle());
        if (started.shutdownHook != null) {
          Runtime.getRuntime().addShutdownHook(started.shutdownHook);
        }
        if (readiness != null) {
          try (Readiness check = readiness.apply(claimed)) {
            started.awaitReady(check, startTimeout);
          }
        }
        return started;
      } catch (RuntimeException e) {
        started.close();
        throw e;
      }
    }

    private Ports claimPorts() {
      Map<String, Integer> claimed = new LinkedHashMap<>();
      ports.forEach((portName, port) -> claimed.put(portName, claim(portName, port)));
      return new Ports(host, claimed);
    }

    /** {@code port} after checking nobody listens on it, or a free port when it is 0. */
    private int claim(String portName, int port) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
        return socket.getLocalPort();
      } catch (IOException e) {
        throw new PortInUseException(portName, host, port, e);
      }
    }
  }

  private final String name;
  private final Path stateDir;
  private final PidFile pidFile;
  private final ProcessLog log;
  private final Process process;
  private final List<String> command;
  private final Ports ports;
  private final long logStart;
  private final Duration stopGrace;
  private final Thread shutdownHook;
  private boolean closed;

  private ManagedProcess(
      Builder spec,
      Process process,
      List<String> command,
      Ports ports,
      PidFile pidFile,
      ProcessLog log,
      long logStart) {
    this.name = spec.name;
    this.stateDir = spec.stateDir;
    this.pidFile = pidFile;
    this.log = log;
    this.process = process;
    this.command = command;
    this.ports = ports;
    this.logStart = logStart;
    this.stopGrace = spec.stopGrace;
    this.shutdownHook =
        spec.stopWithJvm ? new Thread(this::stopProcess, "capstan-stop-" + spec.stem) : null;
  }

  /** What messages call it, e.g. {@code Temporal dev server}. */
  public String name() {
    return name;
  }

  /** The command line it was started with (without the {@code setsid} in front). */
  public List<String> command() {
    return command;
  }

  /** The ports it was started with. */
  public Ports ports() {
    return ports;
  }

  public Path stateDir() {
    return stateDir;
  }

  public Path logFile() {
    return log.path();
  }

  public Path pidFile() {
    return pidFile.path();
  }

  public long pid() {
    return process.pid();
  }

  /** The process, for what it started itself ({@link ProcessHandle#descendants()}). */
  public ProcessHandle handle() {
    return process.toHandle();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * Waits for the process to end by itself.
   *
   * @return its exit code, or empty when it still runs after {@code timeout}
   */
  public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        ? OptionalInt.of(process.exitValue())
        : OptionalInt.empty();
  }

  /** Everything it wrote since this start: the whole output of a tool that ran to its end. */
  public String output() throws IOException {
    return log.since(logStart);
  }

  /** The end of what it wrote since this start, for a message saying why something failed. */
  public String logTail() {
    return log.tailSince(logStart);
  }

  /**
   * SIGKILL at once, as {@code kill -9} sends it: the process cleans nothing up, and the processes
   * it started live on. Its pid file goes, since this owner knows it is gone.
   */
  public synchronized void kill() {
    process.destroyForcibly();
    awaitExit(process.toHandle(), KILL_WAIT);
    close();
  }

  /**
   * Stops the process (SIGTERM, then SIGKILL after the grace period; then SIGKILL to whatever it
   * started that still runs) and removes its pid file; safe to call again.
   */
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
    stop(process.toHandle(), stopGrace, "the " + name);
    pidFile.delete(process.toHandle());
  }

  /**
   * Stops any process the way a managed one is stopped: SIGTERM, then SIGKILL once {@code grace}
   * passed; then SIGKILL to what it had started that still runs. Those are listed first, because
   * once their parent is gone they no longer show up as its descendants.
   */
  public static void stop(ProcessHandle process, Duration grace) {
    stop(process, grace, "process");
  }

  private static void stop(ProcessHandle process, Duration grace, String what) {
    List<ProcessHandle> descendants = process.descendants().toList();
    if (process.isAlive()) {
      process.destroy();
      if (!awaitExit(process, grace)) {
        if (!grace.isZero()) {
          LOG.warn(
              "{} (pid {}) did not stop within {} ms of SIGTERM; killing it",
              what,
              process.pid(),
              grace.toMillis());
        }
        process.destroyForcibly();
        awaitExit(process, KILL_WAIT);
      }
    }
    for (ProcessHandle child : descendants) {
      if (child.isAlive()) {
        child.destroyForcibly();
        awaitExit(child, KILL_WAIT);
      }
    }
  }

  private static boolean awaitExit(ProcessHandle handle, Duration timeout) {
    try {
      handle.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return !handle.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !handle.isAlive();
    }
  }

  private void awaitReady(Readiness readiness, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String awaiting = null;
    try {
      while (true) {
        Optional<String> missing = readiness.awaiting();
        awaiting = missing.orElse(awaiting);
        if (!process.isAlive()) {
          throw new StartException(
              "the "
                  + name
                  + " exited with code "
                  + process.exitValue()
                  + " before it "
                  + (awaiting == null ? "was ready" : "served " + awaiting)
                  + "; "
                  + logTail(),
              null);
        }
        if (missing.isEmpty()) {
          return;
        }
        if (System.nanoTime() - deadline > 0) {
          throw new StartException(
              "the "
                  + name
                  + " did not serve "
                  + awaiting
                  + " within "
                  + (timeout.toMillis() % 1000 == 0
                      ? timeout.toSeconds() + " s"
                      : timeout.toMillis() + " ms")
                  + "; "
                  + logTail(),
              null);
        }
        Thread.sleep(PROBE_INTERVAL.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartException("interrupted while the " + name + " started", e);
    }
  }

  private static String requireLoopback(String host) {
    try {
      if (host != null && InetAddress.getByName(host).isLoopbackAddress()) {
        return host;
      }
    } catch (UnknownHostException e) {
      // Reported below, as any other address that is not loopback.
    }
    throw new IllegalArgumentException(
        "child processes listen on loopback only, and " + host + " is not a loopback address");
  }

  /** {@code setsid}, where the system has it. */
  private static Optional<String> setsid() {
    for (String dir : List.of("/usr/bin", "/bin")) {
      Path candidate = Path.of(dir, "setsid");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }
}
