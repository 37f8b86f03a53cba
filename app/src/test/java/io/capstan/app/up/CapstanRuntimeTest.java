package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.capstan.workers.WorkerSettings;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The wiring of {@code capstan up}, started in-process on free ports and used over HTTP. */
class CapstanRuntimeTest {
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

  private static int temporalPort;
  private static CapstanRuntime runtime;
  private static Http http;

  @BeforeAll
  static void start() {
    temporalPort = FreePorts.next();
    runtime = new CapstanRuntime(CapstanRuntime.Config.embedded(0, temporalPort)).start();
    http = new Http(runtime.apiUrl());
  }

  @AfterAll
  static void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @DisplayName("a pipeline submitted over HTTP runs its simulate and shell tasks to COMPLETED")
  void submittedPipelineCompletes() {
    HttpResponse<String> submitted = http.post("/api/v1/runs", "application/yaml", PIPELINE);
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = Http.json(submitted).path("id").asText();

    JsonNode run =
        Eventually.get(
            Duration.ofSeconds(60),
            () -> {
              JsonNode current = Http.json(http.get("/api/v1/runs/" + id));
              assertThat(current.path("status").asText()).isNotEqualTo("RUNNING");
              return current;
            });

    assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
    assertThat(run.path("tasks").path("extract").path("output").asText()).isEqualTo("rows-7");
    assertThat(run.path("tasks").path("load").path("state").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.path("tasks").path("load").path("output").asText()).isEqualTo("loaded rows-7");
  }

  @Test
  @DisplayName("/api/v1/info tells clients they talk to the embedded test server")
  void infoNamesTheEmbeddedServer() {
    JsonNode temporal = Http.json(http.get("/api/v1/info")).path("temporal");

    assertThat(temporal.path("mode").asText()).isEqualTo("test-server");
    assertThat(temporal.path("address").asText()).isEqualTo("127.0.0.1:" + temporalPort);
    assertThat(temporal.path("namespace").asText()).isEqualTo("default");
  }

  @Test
  @DisplayName(
      "the runtime registers Capstan's search attributes on the Java test server too, so adding"
          + " one again is refused as existing")
  void searchAttributesAreRegisteredOnTheTestServer() {
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setChannel(runtime.client().getWorkflowServiceStubs().getRawChannel())
                .validateAndBuildWithDefaults());
    try {
      for (String name : List.of("CapstanKind", "CapstanName", "CapstanNamespace")) {
        assertThatThrownBy(
                () ->
                    operator
                        .blockingStub()
                        .addSearchAttributes(
                            AddSearchAttributesRequest.newBuilder()
                                .putSearchAttributes(
                                    name, IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                                .build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS));
      }
    } finally {
      operator.shutdown();
    }
  }

  @Test
  @DisplayName("/metrics carries the Temporal SDK's own metrics next to the API's")
  void metricsIncludeTemporalSdkMetrics() {
    String metrics =
        Eventually.get(
            Duration.ofSeconds(20),
            () -> {
              String current = http.get("/metrics").body();
              assertThat(current).contains("temporal_");
              return current;
            });

    assertThat(metrics).contains("temporal_request");
  }

  @Test
  @DisplayName(
      "the worker serves simulate and shell tasks when shell is enabled, simulate only when not")
  void servedExecutorsFollowTheShellFlag() {
    assertThat(runtime.servedExecutors())
        .containsExactlyInAnyOrder(ExecutorKind.SIMULATE, ExecutorKind.SHELL);
    assertThat(io.capstan.workers.tasks.TasksWorker.executors(WorkerSettings.defaults(false)))
        .containsExactly(ExecutorKind.SIMULATE);
  }

  @Test
  @DisplayName("a second runtime on a taken Temporal port fails with a message naming the port")
  void takenTemporalPortIsExplained() {
    CapstanRuntime second = new CapstanRuntime(CapstanRuntime.Config.embedded(0, temporalPort));

    assertThatThrownBy(second::start)
        .isInstanceOf(CapstanRuntime.StartupException.class)
        .hasMessageStartingWith("port " + temporalPort + " is in use")
        .hasMessageContaining("--temporal-port");
  }
}
