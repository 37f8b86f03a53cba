package io.capstan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.app.up.DevServer;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The dev server the tests run against: Capstan's own {@link DevServer} on free loopback ports,
 * which a test can stop and start again on the same ports and SQLite file; and the stock {@code
 * temporal} CLI pointed at it.
 */
final class DevServerFixture implements AutoCloseable {
  static final String INSTALL_HINT = "run ./test.sh (it installs the Temporal CLI)";
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** The gRPC frontend, {@code 127.0.0.1:PORT}. */
  String address() {
    return server.address();
  }

  /** The Web UI's base address. */
  String uiUrl() {
    return server.uiUrl();
  }

  Path db() {
    return server.dbFile();
  }

  long pid() {
    return server.pid();
  }

  boolean running() {
    return server.isAlive();
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  void stop() {
    server.close();
  }

  /** Starts the server again on the same ports with the same SQLite file. */
  void restart() {
    if (running()) {
      throw new IllegalStateException("the dev server still runs; stop() it first");
    }
    server =
        DevServer.start(DevServer.Options.of(binary, server.port(), server.uiPort(), stateDir));
  }

  /** Runs the stock CLI against this server: {@code temporal --address 127.0.0.1:PORT ARGS...}. */
  CommandResult temporal(String... args) {
    List<String> command = new ArrayList<>(List.of(binary.toString(), "--address", address()));
    command.addAll(List.of(args));
    return CommandResult.run(CLI_TIMEOUT, command);
  }

  /** The workflow ids {@code temporal workflow list --query QUERY} prints, in its order. */
  List<String> listWorkflowIds(String query) {
    String json =
        temporal("workflow", "list", "--query", query, "--output", "json").succeeded().stdout();
    try {
      List<String> ids = new ArrayList<>();
      for (JsonNode execution : JSON.readTree(json)) {
        ids.add(execution.at("/execution/workflowId").asText());
      }
      return ids;
    } catch (IOException e) {
      throw new UncheckedIOException("temporal workflow list printed no JSON: " + json, e);
    }
  }

  /** The latest run's history of workflow {@code id} in namespace default, as Temporal keeps it. */
  List<HistoryEvent> history(String id) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address()).build());
    try {
      return WorkflowClient.newInstance(stubs).fetchHistory(id).getEvents();
    } finally {
      stubs.shutdownNow();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    stop();
  }
}
