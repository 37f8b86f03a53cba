package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.auth.ApiSecurity;
import io.capstan.api.auth.SubmitRate;
import io.capstan.api.auth.TokenHashes;
import io.capstan.api.auth.TokenRegistry;
import io.javalin.testtools.HttpClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Requests with (or without) a bearer token against a JavalinTest server, and the principals the
 * authentication tests configure: each token's text is its principal's name with {@code -token}.
 */
public final class Bearer {
  /** Reads runs of team-a. */
  public static final String VIEWER = "viewer-token";

  /** Submits and controls runs of team-a. */
  public static final String OPERATOR = "operator-token";

  /** Everything, in every namespace; its own list names only {@code ops}. */
  public static final String ADMIN = "admin-token";

  /** Submits and controls runs of team-b only. */
  public static final String OTHER_OPERATOR = "other-operator-token";

  /** The principals, as a {@code CAPSTAN_TOKENS} value would give them. */
  public static final String TOKENS =
      "viewer-a:viewer:team-a:"
          + TokenHashes.sha256Hex(VIEWER)
          + ";operator-a:operator:team-a:"
          + TokenHashes.sha256Hex(OPERATOR)
          + ";root:admin:ops:"
          + TokenHashes.sha256Hex(ADMIN)
          + ";operator-b:operator:team-b:"
          + TokenHashes.sha256Hex(OTHER_OPERATOR);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final HttpClient client;

  public Bearer(HttpClient client) {
    this.client = client;
  }

  /** Authentication on with {@link #TOKENS}, no submit limit, {@code /metrics} open. */
  public static ApiSecurity security() {
    return ApiSecurity.bearer(TokenRegistry.fromSpec(TOKENS)).withSubmitRate(SubmitRate.UNLIMITED);
  }

  /** An answer: status, text, JSON (missing node when not JSON) and headers. */
  public record Reply(int status, String text, JsonNode json, Headers headers) {
    public String header(String name) {
      return headers.get(name);
    }

    public String error() {
      return json.path("error").asText();
    }
  }

  public Reply get(String path, String token) {
    return send("GET", path, token, null, null, Map.of());
  }

  public Reply post(String path, String token, String body, String contentType) {
    return send("POST", path, token, body, contentType, Map.of());
  }

  /**
   * @param token the bearer token, or null to send no Authorization header
   * @param body null for none
   */
  public Reply send(
      String method,
      String path,
      String token,
      String body,
      String contentType,
      Map<String, String> headers) {
    Response response =
        client.request(
            path,
            (Request.Builder builder) -> {
              RequestBody requestBody =
                  body == null
                      ? (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS")
                          ? null
                          : RequestBody.create(new byte[0], null))
                      : RequestBody.create(
                          body.getBytes(StandardCharsets.UTF_8),
                          contentType == null ? null : MediaType.get(contentType));
              builder.method(method, requestBody);
              if (token != null) {
                builder.header("Authorization", "Bearer " + token);
              }
              headers.forEach(builder::header);
            });
    try (response) {
      String text = response.body() == null ? "" : response.body().string();
      JsonNode json;
      try {
        json = text.isEmpty() ? MAPPER.missingNode() : MAPPER.readTree(text);
      } catch (IOException notJson) {
        json = MAPPER.missingNode();
      }
      return new Reply(response.code(), text, json, response.headers());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Submits as {@code token} and returns the new run's id. */
  public String submit(String token, String yaml) {
    Reply reply = post("/api/v1/runs", token, yaml, Http.YAML);
    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    return reply.json().path("id").asText();
  }

  /** Polls the run, as an admin, until its task satisfies {@code condition}. */
  public void awaitTask(String id, String task, Predicate<JsonNode> condition)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    JsonNode last = null;
    while (Instant.now().isBefore(deadline)) {
      last = get("/api/v1/runs/" + id, ADMIN).json();
      if (condition.test(last.path("tasks").path(task))) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("task " + task + " never reached the expected state: " + last);
  }

  /** A pipeline of {@code namespace} whose one task runs for an hour: it stays open to control. */
  public static String longPipeline(String namespace, String name) {
    return """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: %s, namespace: %s}
        spec:
          tasks:
            - name: crunch
              simulate: {duration: 1h, output: done}
        """
        .formatted(name, namespace);
  }

  /**
   * A pipeline of {@code namespace} whose task {@code check} fails at once and then waits, with
   * {@code onFailure: pause}, for a retry.
   */
  public static String waitingPipeline(String namespace, String name) {
    return """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: %s, namespace: %s}
        spec:
          onFailure: pause
          defaults: {retry: {maxAttempts: 1}}
          tasks:
            - name: check
              simulate: {failAttempts: 100}
        """
        .formatted(name, namespace);
  }
}
