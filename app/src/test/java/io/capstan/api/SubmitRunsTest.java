package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.workflows.run.RunState;
import io.javalin.testtools.JavalinTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("POST /api/v1/runs")
class SubmitRunsTest {
  private static final String CONTAINER_REFUSED =
      "no worker serves container tasks: no live worker on task queue capstan-infrastructure runs them (start `capstan up` with its local Kubernetes or --kubeconfig PATH, or `capstan worker --role infrastructure --kubeconfig PATH`)";

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
  @DisplayName("a YAML pipeline starts a run whose id reads as kind, namespace and name")
  void yamlPipelineStartsRunWithReadableId() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client).post("/api/v1/runs", Definitions.PIPELINE, Http.YAML);

          assertThat(answer.status()).isEqualTo(201);
          JsonNode run = answer.json();
          String id = run.path("id").asText();
          assertThat(id).matches("pipeline-team-a-nightly-etl-[a-z0-9]{8}");
          assertThat(run.path("kind").asText()).isEqualTo("Pipeline");
          assertThat(run.path("name").asText()).isEqualTo("nightly-etl");
          assertThat(run.path("namespace").asText()).isEqualTo("team-a");
          assertThat(run.path("status").asText()).isEqualTo("RUNNING");
          assertThat(run.path("links").path("self").asText()).isEqualTo("/api/v1/runs/" + id);
          assertThat(run.path("links").path("temporalUi").asText())
              .isEqualTo("http://localhost:8233/namespaces/default/workflows/" + id);
          assertThat(temporal.awaitResult(id).tasks()).containsOnlyKeys("extract", "load");
        });
  }

  @Test
  @DisplayName("a JSON pipeline, tab-indented, starts a run like its YAML twin")
  void jsonPipelineStartsRun() {
    String json =
        """
        {
        \t"apiVersion": "capstan.io/v1",
        \t"kind": "Pipeline",
        \t"metadata": {"name": "from-json"},
        \t"spec": {"tasks": [{"name": "only", "simulate": {"output": "json works"}}]}
        }
        """;
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer = new Http(client).post("/api/v1/runs", json, Http.JSON);

          assertThat(answer.status()).as(answer.text()).isEqualTo(201);
          String id = answer.json().path("id").asText();
          assertThat(id).matches("pipeline-default-from-json-[a-z0-9]{8}");
          assertThat(temporal.awaitResult(id).tasks().get("only").output()).isEqualTo("json works");
        });
  }

  @Test
  @DisplayName("a body sent with curl's default form content type is read as YAML")
  void formContentTypeIsReadAsYaml() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client)
                  .post("/api/v1/runs", Definitions.JOB, "application/x-www-form-urlencoded");

          assertThat(answer.status()).as(answer.text()).isEqualTo(201);
          assertThat(answer.json().path("id").asText()).startsWith("job-default-backup-");
        });
  }

  @Test
  @DisplayName("?param.NAME=VALUE overrides the definition's param in every task that uses it")
  void paramOverridesReachTasks() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client)
                  .post("/api/v1/runs?param.source=s3%20bucket", Definitions.PIPELINE, Http.YAML);

          assertThat(answer.status()).isEqualTo(201);
          RunState result = temporal.awaitResult(answer.json().path("id").asText());
          assertThat(result.tasks().get("extract").output()).isEqualTo("rows-s3 bucket");
          assertThat(result.tasks().get("load").output()).isEqualTo("loaded rows-s3 bucket");
        });
  }

  @Test
  @DisplayName("a resend with the same Idempotency-Key answers 200 with the run the first started")
  void idempotencyKeyReturnsSameRun() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          byte[] body = Definitions.PIPELINE.getBytes(StandardCharsets.UTF_8);

          Http.Answer first =
              http.post("/api/v1/runs", body, Http.YAML, Map.of("Idempotency-Key", "nightly-42"));
          Http.Answer resend =
              http.post("/api/v1/runs", body, Http.YAML, Map.of("Idempotency-Key", "nightly-42"));
          Http.Answer otherKey =
              http.post("/api/v1/runs", body, Http.YAML, Map.of("Idempotency-Key", "nightly-43"));

          assertThat(first.status()).isEqualTo(201);
          assertThat(resend.status()).isEqualTo(200);
          String id = first.json().path("id").asText();
          assertThat(id).matches("pipeline-team-a-nightly-etl-[a-z0-9]{8}");
          assertThat(resend.json().path("id").asText()).isEqualTo(id);
          assertThat(otherKey.status()).isEqualTo(201);
          assertThat(otherKey.json().path("id").asText()).isNotEqualTo(id);

          // Even once the run has ended, the key still leads to it rather than to a new run.
          temporal.awaitResult(id);
          Http.Answer late =
              http.post("/api/v1/runs", body, Http.YAML, Map.of("Idempotency-Key", "nightly-42"));
          assertThat(late.status()).isEqualTo(200);
          assertThat(late.json().path("id").asText()).isEqualTo(id);
          assertThat(late.json().path("status").asText()).isEqualTo("COMPLETED");
        });
  }

  @Test
  @DisplayName("a multi-document body starts one run per document and answers them all")
  void multiDocumentBodyStartsEveryRun() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client)
                  .post(
                      "/api/v1/runs", Definitions.PIPELINE + "---\n" + Definitions.JOB, Http.YAML);

          assertThat(answer.status()).as(answer.text()).isEqualTo(201);
          JsonNode runs = answer.json().path("runs");
          assertThat(runs).hasSize(2);
          assertThat(runs.get(0).path("id").asText()).startsWith("pipeline-team-a-nightly-etl-");
          assertThat(runs.get(1).path("id").asText()).matches("job-default-backup-[a-z0-9]{8}");
          assertThat(temporal.awaitResult(runs.get(1).path("id").asText()).tasks()).isNotEmpty();
        });
  }

  @Test
  @DisplayName("an invalid definition is 422 with every problem's path, line and column")
  void invalidDefinitionIsUnprocessableWithPositions() {
    String invalid =
        """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: broken}
        spec:
          tasks:
            - name: extract
              simulate: {output: rows}
            - name: load
              dependsOn: [extrac]
              simulate: {output: done}
        """;
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer = new Http(client).post("/api/v1/runs", invalid, Http.YAML);

          assertThat(answer.status()).isEqualTo(422);
          assertThat(answer.json().path("error").asText()).contains("problem");
          JsonNode detail = answer.json().path("details").get(0);
          assertThat(detail.path("path").asText()).startsWith("spec.tasks[1].dependsOn");
          assertThat(detail.path("line").asInt()).isEqualTo(9);
          assertThat(detail.path("column").asInt()).isPositive();
          assertThat(detail.path("message").asText()).contains("extrac");
        });
  }

  @Test
  @DisplayName("a YAML syntax error is 422 pointing at its line")
  void yamlSyntaxErrorIsUnprocessable() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client)
                  .post("/api/v1/runs", "kind: Pipeline\nspec: {tasks: [\n  oops: {", Http.YAML);

          assertThat(answer.status()).isEqualTo(422);
          assertThat(answer.json().path("details").get(0).path("line").asInt()).isPositive();
        });
  }

  @Test
  @DisplayName(
      "a container task is refused where no infrastructure worker polls, saying what to start")
  void containerTaskIsRefused() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client).post("/api/v1/runs", Definitions.CONTAINER_PIPELINE, Http.YAML);

          assertThat(answer.status()).isEqualTo(422);
          assertThat(answer.json().path("error").asText()).isEqualTo(CONTAINER_REFUSED);
          JsonNode detail = answer.json().path("details").get(0);
          assertThat(detail.path("path").asText()).isEqualTo("spec.tasks[1].container");
          assertThat(detail.path("line").asInt()).isEqualTo(10);
          assertThat(detail.path("column").asInt()).isEqualTo(7);
          assertThat(detail.path("message").asText()).isEqualTo(CONTAINER_REFUSED);
        });
  }

  @Test
  @DisplayName("a body above 16 MiB is refused with 413 before it is read")
  void hugeBodyIsTooLarge() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          byte[] huge = new byte[(16 << 20) + 1];
          Arrays.fill(huge, (byte) '#');

          Http.Answer answer = new Http(client).post("/api/v1/runs", huge, Http.YAML, Map.of());

          assertThat(answer.status()).isEqualTo(413);
          assertThat(answer.json().path("error").asText()).contains("limit");
        });
  }

  @Test
  @DisplayName("empty, non-UTF-8 and binary bodies are 400, never 500")
  void unreadableBodiesAreBadRequests() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);

          Http.Answer empty = http.post("/api/v1/runs", new byte[0], Http.YAML, Map.of());
          Http.Answer latin1 =
              http.post(
                  "/api/v1/runs",
                  "kind: Pipeline # caf\u00e9".getBytes(StandardCharsets.ISO_8859_1),
                  Http.YAML,
                  Map.of());
          Http.Answer binary =
              http.post(
                  "/api/v1/runs",
                  new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, (byte) 0xc3},
                  "application/octet-stream",
                  Map.of());

          assertThat(empty.status()).isEqualTo(400);
          assertThat(empty.json().path("error").asText()).contains("empty");
          assertThat(latin1.status()).isEqualTo(400);
          assertThat(latin1.json().path("error").asText()).contains("UTF-8");
          assertThat(binary.status()).isEqualTo(400);
        });
  }

  @Test
  @DisplayName("garbage that is text is 4xx with an error body, never 500")
  void garbageIsAClientError() {
    String[] garbage = {
      "}}}{{{",
      "null",
      "[1, 2, 3]",
      "\"just a string\"",
      "kind: Pipeline",
      "apiVersion: capstan.io/v1\nkind: Cluster\nmetadata: {name: x}\nspec: {}",
      "\u0000\u0001\u0002",
      "a: &a [*a, *a]",
      "{\"kind\": \"Pipeline\", \"spec\": {\"tasks\": \"many\"}}",
    };
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          for (String body : garbage) {
            for (String type : new String[] {Http.YAML, Http.JSON, "text/plain"}) {
              Http.Answer answer = http.post("/api/v1/runs", body, type);
              assertThat(answer.status()).as(body + " as " + type).isBetween(400, 499);
              assertThat(answer.json().path("error").isTextual()).as(answer.text()).isTrue();
              assertThat(answer.json().path("details").isArray()).isTrue();
            }
          }
        });
  }

  @Test
  @DisplayName("a malformed param override is 400 naming the parameter")
  void malformedParamIsBadRequest() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client).post("/api/v1/runs?param.a%20b=1", Definitions.PIPELINE, Http.YAML);

          assertThat(answer.status()).isEqualTo(400);
          assertThat(answer.json().path("details").get(0).path("path").asText())
              .isEqualTo("param.a b");
        });
  }
}
