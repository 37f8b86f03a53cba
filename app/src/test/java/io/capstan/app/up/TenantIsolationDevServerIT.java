package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.auth.TokenHashes;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Tenant isolation where Temporal's own visibility store and Schedules answer: the dev server. A
 * listing asks the server for {@code CapstanNamespace IN (...)}, and another tenant's run or
 * schedule is not found, whatever is asked of it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Tenant isolation on the dev server")
class TenantIsolationDevServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKENS =
      "alice:operator:team-a:"
          + TokenHashes.sha256Hex("alice-token")
          + ";bob:operator:team-b:"
          + TokenHashes.sha256Hex("bob-token")
          + ";root:admin:ops:"
          + TokenHashes.sha256Hex("root-token");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Path state =
      Path.of("target", "capstan-isolation-dev-server-test", Long.toString(System.nanoTime()))
          .toAbsolutePath();

  private CapstanRuntime runtime;
  private String api;

  @BeforeAll
  void start() {
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require()),
                Map.of("CAPSTAN_TOKENS", TOKENS))
            .start();
    api = runtime.apiUrl();
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  private static String pipeline(String namespace, String name) {
    return """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: %s, namespace: %s}
        spec:
          tasks:
            - name: crunch
              simulate: {duration: 10m, output: done}
        """
        .formatted(name, namespace);
  }

  @Test
  @DisplayName(
      "each operator lists only its namespace's runs from the visibility store; a crafted id of"
          + " the other's is 404")
  void visibilityListingIsScopedServerSide() {
    String ours = submit("alice-token", pipeline("team-a", "ours"));
    String theirs = submit("bob-token", pipeline("team-b", "theirs"));
    // Visibility is eventually consistent: wait until the admin sees both runs.
    Eventually.await(
        "both runs in the admin's listing",
        () -> ids(send("GET", "/api/v1/runs", "root-token", null)),
        listed -> listed.contains(ours) && listed.contains(theirs));

    JsonNode alice = jsonOf(send("GET", "/api/v1/runs", "alice-token", null));
    assertThat(alice.path("source").asText()).isEqualTo("visibility");
    assertThat(ids(alice)).contains(ours).doesNotContain(theirs);
    assertThat(ids(jsonOf(send("GET", "/api/v1/runs?kind=Pipeline", "bob-token", null))))
        .contains(theirs)
        .doesNotContain(ours);

    HttpResponse<String> crafted = send("GET", "/api/v1/runs/" + theirs, "alice-token", null);
    assertThat(crafted.statusCode()).isEqualTo(404);
    assertThat(crafted.body()).contains("no run with id '" + theirs + "'");
    HttpResponse<String> cancel =
        send("POST", "/api/v1/runs/" + theirs + "/cancel", "alice-token", null);
    assertThat(cancel.statusCode()).isEqualTo(404);
    assertThat(
            jsonOf(send("GET", "/api/v1/runs/" + theirs, "bob-token", null))
                .path("status")
                .asText())
        .isEqualTo("RUNNING");
  }

  @Test
  @DisplayName(
      "another tenant's schedule is 404 for every schedule route and absent from the list; its"
          + " owner and the admin see it")
  void schedulesAreScoped() {
    String job =
        """
        apiVersion: capstan.io/v1
        kind: Job
        metadata: {name: nightly, namespace: team-b}
        spec:
          simulate: {output: saved}
          schedule: {cron: "0 3 * * *", paused: true}
        """;
    HttpResponse<String> created = send("POST", "/api/v1/runs", "bob-token", job);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    String id = jsonOf(created).path("id").asText();
    try {
      String unknown = "schedule-team-b-nothing";
      for (String[] route :
          new String[][] {
            {"GET", ""},
            {"DELETE", ""},
            {"POST", "/pause"},
            {"POST", "/unpause"},
            {"POST", "/trigger"}
          }) {
        HttpResponse<String> crafted =
            send(route[0], "/api/v1/schedules/" + id + route[1], "alice-token", null);
        HttpResponse<String> absent =
            send(route[0], "/api/v1/schedules/" + unknown + route[1], "alice-token", null);
        assertThat(crafted.statusCode()).as(route[0] + route[1]).isEqualTo(404);
        assertThat(crafted.body()).isEqualTo(absent.body().replace(unknown, id));
      }
      Eventually.await(
          "the schedule in the admin's listing",
          () -> scheduleIds(send("GET", "/api/v1/schedules", "root-token", null)),
          listed -> listed.contains(id));
      assertThat(scheduleIds(send("GET", "/api/v1/schedules", "alice-token", null)))
          .doesNotContain(id);
      assertThat(scheduleIds(send("GET", "/api/v1/schedules", "bob-token", null))).contains(id);
      assertThat(send("GET", "/api/v1/schedules/" + id, "bob-token", null).statusCode())
          .isEqualTo(200);
    } finally {
      send("DELETE", "/api/v1/schedules/" + id, "bob-token", null);
    }
  }

  private String submit(String token, String yaml) {
    HttpResponse<String> response = send("POST", "/api/v1/runs", token, yaml);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return jsonOf(response).path("id").asText();
  }

  private static JsonNode jsonOf(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.body(), e);
    }
  }

  private static List<String> ids(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return ids(jsonOf(response));
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("runs").forEach(run -> ids.add(run.path("id").asText()));
    return ids;
  }

  private static List<String> scheduleIds(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    List<String> ids = new ArrayList<>();
    jsonOf(response).path("schedules").forEach(s -> ids.add(s.path("id").asText()));
    return ids;
  }

  private HttpResponse<String> send(String method, String path, String token, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(api + path))
            .timeout(Duration.ofSeconds(20))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/yaml");
    }
    request.header("Authorization", "Bearer " + token);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
