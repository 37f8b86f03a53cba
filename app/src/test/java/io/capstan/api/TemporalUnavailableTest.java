package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.definitions.executor.ExecutorKind;
import io.javalin.testtools.JavalinTest;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("When Temporal cannot be reached")
class TemporalUnavailableTest {
  @Test
  @DisplayName("reads answer 503 saying where Temporal was expected, not 500")
  void readsAnswerServiceUnavailable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
    try {
      TemporalInfo info =
          new TemporalInfo("127.0.0.1:" + port, "default", null, TemporalInfo.EXTERNAL);
      ApiDependencies deps =
          new ApiDependencies(
              WorkflowClient.newInstance(stubs),
              info,
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
              Set.of(ExecutorKind.SIMULATE));
      JavalinTest.test(
          ApiApp.create(deps),
          (server, client) -> {
            Http http = new Http(client);

            Http.Answer get = http.get("/api/v1/runs/pipeline-default-x-00000000");
            Http.Answer list = http.get("/api/v1/runs");
            Http.Answer cancel = http.post("/api/v1/runs/job-default-x-00000000/cancel", "", null);

            for (Http.Answer answer : new Http.Answer[] {get, list, cancel}) {
              assertThat(answer.status()).as(answer.text()).isEqualTo(503);
              assertThat(answer.json().path("error").asText())
                  .startsWith("Temporal at 127.0.0.1:" + port + " is unavailable");
            }
          });
    } finally {
      stubs.shutdownNow();
    }
  }

  @Test
  @DisplayName(
      "a server without Capstan's search attributes answers 503 with the command that adds them")
  void unregisteredSearchAttributesAreServiceUnavailable() {
    // A server of its own, to which nobody registered Capstan's search attributes.
    try (TestWorkflowEnvironment bare = TestWorkflowEnvironment.newInstance()) {
      bare.start();
      ApiDependencies deps =
          new ApiDependencies(
              bare.getWorkflowClient(),
              TestTemporal.INFO,
              new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
              Set.of(ExecutorKind.SIMULATE));
      JavalinTest.test(
          ApiApp.create(deps),
          (server, client) -> {
            Http.Answer answer =
                new Http(client).post("/api/v1/runs", Definitions.PIPELINE, Http.YAML);

            assertThat(answer.status()).as(answer.text()).isEqualTo(503);
            assertThat(answer.json().path("error").asText())
                .contains("does not know Capstan's search attributes")
                .contains("CapstanKind");
            assertThat(answer.json().path("details").get(0).path("message").asText())
                .contains(
                    "temporal operator search-attribute create --name CapstanKind --type Keyword")
                .contains("--name CapstanLabels --type KeywordList");
          });
    }
  }
}
