package io.capstan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The Temporal CLI's dev server ({@code temporal server start-dev}) on free ports of 127.0.0.1,
 * with Capstan's search attributes registered and its state in a SQLite file that survives {@link
 * #stop()} and {@link #restart()}. Also runs the stock {@code temporal} CLI against it.
 */
final class DevServer implements AutoCloseable {
  static final String INSTALL_HINT = "run ./test.sh (it installs the Temporal CLI)";
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_GRACE = Duration.ofSeconds(15);
  private static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(100);

  /**
   * Capstan's search attributes, as {@code io.capstan.workflows.RunSearchAttributes} types them.
   */
  static final List<String> SEARCH_ATTRIBUTES =
      List.of(
          "CapstanKind=Keyword",
          "CapstanName=Keyword",
          "CapstanNamespace=Keyword",
          "CapstanLabels=KeywordList");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path binary;
  private final Path db;
  private final Path log;
  private final int port = FreePorts.next();
  private final int uiPort = FreePorts.next();
  private final int httpPort = FreePorts.next();
  private final int metricsPort = FreePorts.next();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;

  private DevServer(Path binary, Path db, Path log) {
    this.binary = binary;
    this.db = db;
    this.log = log;
  }

  /** The project's Temporal CLI, installed by {@code ./test.sh}; the test fails without it. */
  static Path binary() {
    Path binary = Repo.root().resolve(".capstan/tools/bin/temporal");
    if (!Files.isExecutable(binary)) {
      throw new AssertionError("no Temporal CLI at " + binary + ": " + INSTALL_HINT);
    }
    return binary;
  }

  /** Starts a server whose SQLite file is {@code stateDir/temporal.db}; logs go to {@code log}. */
  static DevServer start(Path stateDir, Path log) {
    DevServer server = new DevServer(binary(), stateDir.resolve("temporal.db"), log);
    server.launch();
    return server;
  }

  /** The gRPC frontend, {@code 127.0.0.1:PORT}. */
  String address() {
    return "127.0.0.1:" + port;
  }

  /** The Web UI's base address. */
  String uiUrl() {
    return "http://127.0.0.1:" + uiPort;
  }

  Path db() {
    return db;
  }

  long pid() {
    return process.pid();
  }

  boolean running() {
    return process != null && process.isAlive();
  }

  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  void stop() {
    if (process != null) {
      Reaper.stop(process.toHandle(), STOP_GRACE);
    }
  }

  /** Starts the server again on the same ports with the same SQLite file. */
  void restart() {
    if (running()) {
      throw new IllegalStateException("the dev server still runs; stop() it first");
    }
    launch();
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

  @Override
  public void close() {
    stop();
  }

  private void launch() {
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "server",
                "start-dev",
                "--ip",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--ui-port",
                Integer.toString(uiPort),
                "--http-port",
                Integer.toString(httpPort),
                "--metrics-port",
                Integer.toString(metricsPort),
                "--db-filename",
                db.toString(),
                "--log-level",
                "warn"));
    for (String attribute : SEARCH_ATTRIBUTES) {
      command.add("--search-attribute");
      command.add(attribute);
    }
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + binary, e);
    }
    Reaper.track(process.toHandle());
    try {
      awaitReady();
    } catch (RuntimeException | Error e) {
      stop();
      throw e;
    }
  }

  /**
   * Ready means the frontend knows Capstan's search attributes (so the first run may carry them)
   * and the Web UI serves its page. A server that exits meanwhile fails the test at once.
   */
  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    String notYet;
    while ((notYet = notReadyBecause()) != null) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "the dev server exited with " + process.exitValue() + ":\n" + Logs.tail(log));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the dev server is not ready after "
                + READY_TIMEOUT.toSeconds()
                + " s ("
                + notYet
                + "):\n"
                + Logs.tail(log));
      }
      RealTime.pass(POLL);
    }
  }

  /** Null when ready, else what is missing. */
  private String notReadyBecause() {
    try {
      String namespace = fetch("http://127.0.0.1:" + httpPort + "/api/v1/namespaces/default");
      for (String attribute : SEARCH_ATTRIBUTES) {
        String name = attribute.substring(0, attribute.indexOf('='));
        if (!namespace.contains(name)) {
          return name + " is not registered yet";
        }
      }
      fetch(uiUrl() + "/");
      return null;
    } catch (IOException | IllegalStateException e) {
      return e.toString();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String fetch(String url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + response.statusCode());
    }
    return response.body();
  }
}
