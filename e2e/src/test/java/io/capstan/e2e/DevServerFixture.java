package io.capstan.e2e;

import io.capstan.app.up.DevServer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The dev server the tests run against: Capstan's own {@link DevServer} on free loopback ports,
 * which a test can stop and start again on the same ports and SQLite file; and the stock {@code
 * temporal} CLI pointed at it.
 */
final class DevServerFixture implements TemporalServer {
  static final String INSTALL_HINT = "run ./test.sh (it installs the Temporal CLI)";

  private final Path binary;
  private final Path stateDir;
  private DevServer server;

  private DevServerFixture(Path binary, Path stateDir) {
    this.binary = binary;
    this.stateDir = stateDir;
  }

  /** The project's Temporal CLI, installed by {@code ./test.sh}; the test fails without it. */
  static Path binary() {
    Path binary = Repo.root().resolve(".capstan/tools/bin/temporal");
    if (!Files.isExecutable(binary)) {
      throw new AssertionError("no Temporal CLI at " + binary + ": " + INSTALL_HINT);
    }
    return binary;
  }

  /** Starts a server whose SQLite file, log and pid file live in {@code stateDir}. */
  static DevServerFixture start(Path stateDir) {
    DevServerFixture temporal = new DevServerFixture(binary(), stateDir);
    temporal.server = DevServer.start(DevServer.Options.of(temporal.binary, 0, 0, stateDir));
    return temporal;
  }

  @Override
  public String address() {
    return server.address();
  }

  /** The Web UI's base address. */
  @Override
  public String uiUrl() {
    return server.uiUrl();
  }

  Path db() {
    return server.dbFile();
  }

  long pid() {
    return server.pid();
  }

  @Override
  public boolean running() {
    return server.isAlive();
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  @Override
  public void stop() {
    server.close();
  }

  /** Starts the server again on the same ports with the same SQLite file. */
  @Override
  public void restart() {
    if (running()) {
      throw new IllegalStateException("the dev server still runs; stop() it first");
    }
    server =
        DevServer.start(DevServer.Options.of(binary, server.port(), server.uiPort(), stateDir));
  }

  @Override
  public void close() {
    stop();
  }
}
