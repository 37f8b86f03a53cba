package io.capstan.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Temporal Server 1.29.1 on PostgreSQL, as {@code scripts/temporal-postgres.sh} runs it: a private
 * PostgreSQL cluster and {@code temporal-server} on free loopback ports, with their data, config
 * and logs in one state folder. A test can stop the Temporal server alone and start it again on the
 * same ports and database, PostgreSQL running on throughout.
 */
final class PostgresTemporalFixture implements TemporalServer {
  static final String INSTALL_HINT =
      "run scripts/install-temporal-server.sh (./test.sh runs it) to build temporal-server and"
          + " install PostgreSQL";

  /** A first start sets up the schemas; a few seconds, but the machine may be busy. */
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(3);

  /** The script's ports, from the frontend's: P to P+4, P+10 to P+13, and PostgreSQL's. */
  private static final int[] OFFSETS = {0, 1, 2, 3, 4, 10, 11, 12, 13};

  private static final int PG_OFFSET = 30;

  /**
   * Where the frontend port is drawn from: above the fixed ports local servers like, below the
   * ephemeral range and the smallint limit (see {@link #freePortRange()}).
   */
  private static final int LOWEST_PORT = 20000;

  private static final int HIGHEST_PORT = 32754;

  /** Starts tried when the ports found free were taken by the time the script checked them. */
  private static final int ATTEMPTS = 3;

  private final Path script;
  private final Path stateDir;
  private final int port;

  private PostgresTemporalFixture(Path script, Path stateDir, int port) {
    this.script = script;
    this.stateDir = stateDir;
    this.port = port;
  }

  /**
   * Starts the stack with its data and logs in {@code stateDir} and waits until the {@code default}
   * namespace is there with Capstan's search attributes. Fails, naming the install script, when the
   * server or PostgreSQL is not installed.
   */
  static PostgresTemporalFixture start(Path stateDir) {
    Path script = requireInstalled();
    AssertionError lastFailure = null;
    // Ports found free a moment ago may be taken by the time the server binds them; the script
    // checks them first and says so, and then another set is tried.
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      PostgresTemporalFixture temporal =
          new PostgresTemporalFixture(script, stateDir, freePortRange());
      CommandResult started = temporal.startScript();
      if (started.exitCode() == 0) {
        System.out.println(started.stdout().strip()); // the address and the time it took
        return temporal;
      }
      lastFailure = new AssertionError("scripts/temporal-postgres.sh start failed: " + started);
      temporal.script("stop"); // whatever got started; the failure above is what counts
      if (!started.stderr().contains("is taken")) {
        break;
      }
    }
    throw lastFailure;
  }

  private static Path requireInstalled() {
    Path root = Repo.root();
    Path script = root.resolve("scripts/temporal-postgres.sh");
    if (!Files.isExecutable(script)) {
      throw new AssertionError("no " + script + " to start Temporal on PostgreSQL");
    }
    for (String tool : List.of("temporal-server", "temporal-sql-tool")) {
      Path binary = root.resolve(".capstan/tools/bin").resolve(tool);
      if (!Files.isExecutable(binary)) {
        throw new AssertionError("no " + tool + " at " + binary + ": " + INSTALL_HINT);
      }
    }
    DevServerFixture.binary(); // the CLI creates the namespace and the search attributes
    return script;
  }

  /**
   * A frontend port whose derived ports, PostgreSQL's included, are all free. Not from {@code
   * FreePorts}: its ports lie in the ephemeral range (32768 and up on Linux), and Temporal's
   * PostgreSQL schema keeps membership ports in a smallint, so they must stay below 32768. Below
   * the ephemeral range no outgoing connection takes one of them while the server is down, either.
   */
  private static int freePortRange() {
    for (int tries = 0; tries < 100; tries++) {
      int base = ThreadLocalRandom.current().nextInt(LOWEST_PORT, HIGHEST_PORT + 1);
      if (IntStream.concat(IntStream.of(OFFSETS), IntStream.of(PG_OFFSET))
          .allMatch(offset -> free(base + offset))) {
        return base;
      }
    }
    throw new IllegalStateException("found no free loopback port range for Temporal");
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** None: this stack has no Web UI. */
  @Override
  public String uiUrl() {
    return null;
  }

  /** Whether temporal-server runs. */
  @Override
  public boolean running() {
    return status().stdout().contains("temporal-server: running");
  }

  boolean postgresRunning() {
    return status().stdout().contains("PostgreSQL: running");
  }

  /** Stops temporal-server (SIGTERM, then SIGKILL after a grace period); PostgreSQL runs on. */
  @Override
  public void stop() {
    script("stop", "--keep-postgres").succeeded();
  }

  /** Starts temporal-server again on the same ports and database. */
  @Override
  public void restart() {
    if (running()) {
      throw new IllegalStateException("temporal-server still runs; stop() it first");
    }
    CommandResult started = startScript();
    if (started.exitCode() != 0) {
      throw new AssertionError("scripts/temporal-postgres.sh start failed: " + started);
    }
  }

  /** Stops temporal-server and PostgreSQL; the data stays in the state folder. */
  @Override
  public void close() {
    script("stop").succeeded();
  }

  private CommandResult startScript() {
    return script(
        "start", "--port", Integer.toString(port), "--pg-port", Integer.toString(port + PG_OFFSET));
  }

  private CommandResult status() {
    return script("status");
  }

  private CommandResult script(String... args) {
    List<String> command = new ArrayList<>(List.of(script.toString()));
    command.addAll(List.of(args));
    command.addAll(List.of("--state-dir", stateDir.toString()));
    return CommandResult.run(SCRIPT_TIMEOUT, command);
  }
}
