package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.temporal.api.enums.v1.IndexedValueType;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code capstan up}'s default wiring, in-process on free ports: the API and the worker on a dev
 * server that the runtime starts and stops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CapstanRuntimeDevServerIT {
  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: smoke, namespace: team-a}
      spec:
        tasks:
          - name: extract
            simulate: {duration: 300ms, output: rows-7}
          - name: load
            dependsOn: [extract]
            shell: {command: [sh, -c, "echo loaded #{extract.output}"]}
      """;

  /** Under target/, so the dev server's log is there to read when a test fails. */
  private final Path state =
      Path.of("target", "capstan-runtime-dev-server-test", Long.toString(System.nanoTime()))
          .toAbsolutePath();

  private int temporalPort;
  private int uiPort;
  private CapstanRuntime runtime;
  private Http http;

  @BeforeAll
  void start() {
    temporalPort = FreePorts.next();
    uiPort = FreePorts.next();
    runtime = startRuntime();
    http = new Http(runtime.apiUrl());
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  private CapstanRuntime startRuntime() {
    return new CapstanRuntime(
            CapstanRuntime.Config.devServer(
                0, temporalPort, uiPort, state, TemporalBinary.require()))
        .start();
  }

  @Test
  @DisplayName("a pipeline submitted over HTTP runs its simulate and shell tasks to COMPLETED")
  void submittedPipelineCompletes() {
    String id = submit();

    JsonNode run = awaitEnd(id);

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    assertThat(run.path("tasks").path("load").path("output").asText()).isEqualTo("loaded rows-7");
  }

  @Test
  @DisplayName("/api/v1/info reports the dev server with its address and Web UI")
  void infoNamesTheDevServer() throws Exception {
    JsonNode temporal = Http.json(http.get("/api/v1/info")).path("temporal");

    assertThat(temporal.path("mode").asText()).isEqualTo("dev-server");
    assertThat(temporal.path("address").asText()).isEqualTo("127.0.0.1:" + temporalPort);
    assertThat(temporal.path("namespace").asText()).isEqualTo("default");
    assertThat(temporal.path("ui").asText()).isEqualTo("http://127.0.0.1:" + uiPort);
    assertThat(DevServerIT.httpStatus(temporal.path("ui").asText())).isEqualTo(200);
  }

  @Test
  @DisplayName("the runtime registers Capstan's search attributes with the dev server")
  void searchAttributesAreRegistered() {
    assertThat(
            DevServerIT.listSearchAttributes(runtime.client().getWorkflowServiceStubs())
                .get("CapstanKind"))
        .isEqualTo(IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
  }

  @Test
  @DisplayName(
      "closing stops the dev server process, and a run survives a restart on the same state"
          + " folder")
  void restartKeepsRunsAndCloseLeavesNoProcess() {
    String id = submit();
    assertThat(awaitEnd(id).path("status").asText()).isEqualTo("COMPLETED");
    long pid = runtime.devServer().orElseThrow().pid();

    runtime.close();

    assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();

    runtime = startRuntime();
    http = new Http(runtime.apiUrl());
    JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    assertThat(runtime.devServer().orElseThrow().pid()).isNotEqualTo(pid);
  }

  private String submit() {
    HttpResponse<String> submitted = http.post("/api/v1/runs", "application/yaml", PIPELINE);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    return Http.json(submitted).path("id").asText();
  }

  private JsonNode awaitEnd(String id) {
    return Eventually.get(
        Duration.ofSeconds(60),
        () -> {
          JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
          assertThat(run.path("status").asText()).as(run.toString()).isNotEqualTo("RUNNING");
          return run;
        });
  }
}
