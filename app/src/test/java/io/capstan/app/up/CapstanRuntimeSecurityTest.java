package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.codec.AesGcmPayloadCodec;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code capstan up} started in-process with the security its environment configures: tokens turn
 * authentication on, codec keys encrypt what worker and API write to Temporal, and the banner says
 * which of them is on.
 */
@DisplayName("up with and without authentication and payload encryption")
class CapstanRuntimeSecurityTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: sealed, namespace: team-a}
      spec:
        params: {customer: acme-corp-7781}
        tasks:
          - name: extract
            simulate: {output: "rows-of-#{params.customer}"}
      """;

  @Test
  @DisplayName(
      "with tokens and codec keys: 401 without a token, runs complete, and the raw history holds"
          + " only encrypted payloads; the banner names the principals and the key")
  void authAndCodecOn() throws Exception {
    Map<String, String> env =
        Map.of(
            "CAPSTAN_TOKENS",
            RuntimeSecurityTest.TOKENS,
            "CAPSTAN_CODEC_KEYS",
            "k1:" + RuntimeSecurityTest.KEY_1);
    try (CapstanRuntime runtime =
        new CapstanRuntime(CapstanRuntime.Config.embedded(0, FreePorts.next()), env).start()) {
      String banner = UpCommand.banner(runtime);
      assertThat(banner)
          .contains(
              "  Auth       bearer tokens for 2 principals (alice, root) from $CAPSTAN_TOKENS")
          .contains("  Payloads   encrypted in Temporal (AES-256-GCM, key k1)")
          .contains("codec endpoint " + runtime.apiUrl() + "/codec")
          .doesNotContain("AUTH IS OFF");
      String api = runtime.apiUrl();

      assertThat(send(api, "GET", "/api/v1/runs", null, null).statusCode()).isEqualTo(401);
      HttpResponse<String> submitted = send(api, "POST", "/api/v1/runs", "alice-token", PIPELINE);
      assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
      String id = JSON.readTree(submitted.body()).path("id").asText();
      JsonNode run = awaitClosed(api, id);
      assertThat(run.path("status").asText()).as(run.toString()).isEqualTo("COMPLETED");
      assertThat(run.at("/tasks/extract/output").asText()).isEqualTo("rows-of-acme-corp-7781");

      // Read the history as Temporal stores it: through the service stubs, with no codec.
      List<HistoryEvent> events =
          runtime
              .client()
              .getWorkflowServiceStubs()
              .blockingStub()
              .getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace("default")
                      .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                      .build())
              .getHistory()
              .getEventsList();
      String raw = events.toString();
      assertThat(raw).doesNotContain("acme-corp-7781").doesNotContain("rows-of");
      Payload input =
          events.stream()
              .filter(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED)
              .findFirst()
              .orElseThrow()
              .getWorkflowExecutionStartedEventAttributes()
              .getInput()
              .getPayloads(0);
      assertThat(AesGcmPayloadCodec.isEncrypted(input)).isTrue();
      assertThat(
              input
                  .getMetadataOrThrow(AesGcmPayloadCodec.KEY_ID_METADATA)
                  .toString(StandardCharsets.UTF_8))
          .isEqualTo("k1");
    }
  }

  @Test
  @DisplayName(
      "without tokens or keys on loopback: AUTH IS OFF and plaintext payloads, both in the banner")
  void defaultsAreLoud() {
    try (CapstanRuntime runtime =
        new CapstanRuntime(CapstanRuntime.Config.embedded(0, FreePorts.next()), Map.of()).start()) {
      String banner = UpCommand.banner(runtime);

      assertThat(banner)
          .contains("  Auth       AUTH IS OFF: anyone on this machine can use the API")
          .contains("  Payloads   NOT encrypted: plaintext in Temporal's history")
          .contains("  Secrets    $CAPSTAN_SECRET_<NAME> variables\n")
          .contains("any command (--shell-policy FILE limits them per namespace)");
      assertThat(runtime.codecEndpoint()).isEmpty();
      assertThat(send(runtime.apiUrl(), "GET", "/api/v1/runs", null, null).statusCode())
          .isEqualTo(200);
    }
  }

  private static HttpResponse<String> send(
      String api, String method, String path, String token, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api + path))
            .timeout(Duration.ofSeconds(10))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/yaml");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    try {
      return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode awaitClosed(String api, String id) {
    return Eventually.get(
        Duration.ofSeconds(60),
        () -> {
          JsonNode run =
              JSON.readTree(send(api, "GET", "/api/v1/runs/" + id, "root-token", null).body());
          assertThat(run.path("status").asText())
              .as("run %s did not close: %s", id, run)
              .isNotEqualTo("RUNNING");
          return run;
        });
  }
}
