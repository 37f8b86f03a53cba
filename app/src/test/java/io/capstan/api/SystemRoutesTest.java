package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("info, health, metrics and unknown routes")
class SystemRoutesTest {
  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  @Test
  @DisplayName("info tells the version and where Temporal is")
  void infoTellsVersionAndTemporal() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          JsonNode info = new Http(client).get("/api/v1/info").json();

          assertThat(info.path("version").asText()).isNotBlank().isNotEqualTo("unknown");
          JsonNode temporalInfo = info.path("temporal");
          assertThat(temporalInfo.path("address").asText()).isEqualTo("in-process");
          assertThat(temporalInfo.path("namespace").asText()).isEqualTo("default");
          assertThat(temporalInfo.path("ui").asText()).isEqualTo("http://localhost:8233");
          assertThat(temporalInfo.path("mode").asText()).isEqualTo("test-server");
          assertThat(info.path("executors").toString()).isEqualTo("[\"simulate\",\"shell\"]");
        });
  }

  @Test
  @DisplayName("healthz answers ok")
  void healthzAnswersOk() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer = new Http(client).get("/healthz");

          assertThat(answer.status()).isEqualTo(200);
          assertThat(answer.json().path("status").asText()).isEqualTo("ok");
        });
  }

  @Test
  @DisplayName("metrics are Prometheus text with per-route HTTP timings and the Temporal SDK's own")
  void metricsHaveHttpAndTemporalSeries() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = InspectRunsTest.submit(http, Definitions.PIPELINE);
          temporal.awaitResult(id);
          http.get("/api/v1/runs/" + id);
          http.get("/api/v1/runs/pipeline-default-nothing-00000000");

          Http.Answer metrics = http.get("/metrics");

          assertThat(metrics.status()).isEqualTo(200);
          assertThat(metrics.contentType()).startsWith("text/plain");
          assertThat(metrics.text())
              .contains("http_server_requests_seconds_count{")
              .containsPattern(
                  "http_server_requests_seconds_count\\{[^}]*route=\"/api/v1/runs/\\{id}\""
                      + "[^}]*status=\"200\"")
              .containsPattern("route=\"/api/v1/runs/\\{id}\",status=\"404\"")
              .contains("route=\"/api/v1/runs\",status=\"201\"")
              .contains("temporal_");
        });
  }

  @Test
  @DisplayName("an unknown route is 404 and a wrong method is 405, both with an error body")
  void unknownRouteAndMethodHaveErrorBodies() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);

          Http.Answer missing = http.get("/api/v2/everything");
          Http.Answer wrongMethod = http.request("/api/v1/runs", "DELETE");

          assertThat(missing.status()).isEqualTo(404);
          assertThat(missing.json().path("error").asText())
              .isEqualTo("no route GET /api/v2/everything");
          assertThat(missing.json().path("details").isArray()).isTrue();
          assertThat(wrongMethod.status()).isEqualTo(405);
          assertThat(wrongMethod.json().path("error").asText()).contains("DELETE");
        });
  }
}
