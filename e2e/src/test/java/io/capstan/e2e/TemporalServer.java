package io.capstan.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Temporal server a test class runs against, which a test can stop and start again on the same
 * ports and data: the dev server ({@link DevServerFixture}) or Temporal Server on PostgreSQL
 * ({@link PostgresTemporalFixture}). The stock {@code temporal} CLI and the Java SDK reach it at
 * {@link #address()}.
 */
interface TemporalServer extends AutoCloseable {
  Duration CLI_TIMEOUT = Duration.ofSeconds(30);
  ObjectMapper JSON = new ObjectMapper();

  /** The gRPC frontend, {@code 127.0.0.1:PORT}. */
  String address();

  /** The Web UI's base address, or null when this server has none. */
  String uiUrl();

  boolean running();

  /** Stops the server and waits until it is gone; its data stays. */
  void stop();

  /** Starts the server again on the same ports with the same data. */
  void restart();

  /** Stops the server and everything it needs. */
  @Override
  void close();

  /**
   * Runs the stock CLI (the project's, which also runs the dev server) against this server: {@code
   * temporal --address 127.0.0.1:PORT ARGS...}.
   */
  default CommandResult temporal(String... args) {
    List<String> command =
        new ArrayList<>(List.of(DevServerFixture.binary().toString(), "--address", address()));
    command.addAll(List.of(args));
    return CommandResult.run(CLI_TIMEOUT, command);
  }

  /** The workflow ids {@code temporal workflow list --query QUERY} prints, in its order. */
  default List<String> listWorkflowIds(String query) {
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
  default List<HistoryEvent> history(String id) {
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
}
