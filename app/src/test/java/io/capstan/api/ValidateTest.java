package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("POST /api/v1/validate")
class ValidateTest {
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
  @DisplayName("a valid pipeline answers its plan: levels and the critical path with its duration")
  void validPipelineAnswersPlan() {
    String diamond =
        """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: diamond}
        spec:
          tasks:
            - name: start
              simulate: {duration: 1s}
            - name: fast
              dependsOn: [start]
              simulate: {duration: 2s}
            - name: slow
              dependsOn: [start]
              simulate: {duration: 1m}
            - name: end
              dependsOn: [fast, slow]
              simulate: {duration: 3s}
        """;
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer = new Http(client).post("/api/v1/validate", diamond, Http.YAML);

          assertThat(answer.status()).isEqualTo(200);
          JsonNode body = answer.json();
          assertThat(body.path("valid").asBoolean()).isTrue();
          assertThat(body.path("kind").asText()).isEqualTo("Pipeline");
          assertThat(body.path("name").asText()).isEqualTo("diamond");
          JsonNode plan = body.path("plan");
          assertThat(plan.path("levels").toString())
              .isEqualTo("[[\"start\"],[\"fast\",\"slow\"],[\"end\"]]");
          assertThat(texts(plan.path("criticalPath").path("tasks")))
              .containsExactly("start", "slow", "end");
          assertThat(plan.path("criticalPath").path("duration").asText()).isEqualTo("PT1M4S");
        });
  }

  @Test
  @DisplayName("several documents answer one plan each, a job's being the job itself")
  void severalDocumentsAnswerEachPlan() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer =
              new Http(client)
                  .post(
                      "/api/v1/validate",
                      Definitions.PIPELINE + "---\n" + Definitions.JOB,
                      Http.YAML);

          assertThat(answer.status()).isEqualTo(200);
          JsonNode documents = answer.json().path("documents");
          assertThat(documents).hasSize(2);
          assertThat(documents.get(0).path("plan").path("levels").toString())
              .isEqualTo("[[\"extract\"],[\"load\"]]");
          assertThat(documents.get(1).path("kind").asText()).isEqualTo("Job");
          assertThat(documents.get(1).path("plan").path("levels").toString())
              .isEqualTo("[[\"backup\"]]");
        });
  }

  @Test
  @DisplayName("an invalid definition is 422 with the same details a submit would give")
  void invalidDefinitionIsUnprocessable() {
    String cyclic =
        """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: cyclic}
        spec:
          tasks:
            - name: a
              dependsOn: [b]
              simulate: {}
            - name: b
              dependsOn: [a]
              simulate: {}
        """;
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          Http.Answer answer = http.post("/api/v1/validate", cyclic, Http.YAML);
          Http.Answer container =
              http.post("/api/v1/validate", Definitions.CONTAINER_PIPELINE, Http.YAML);

          assertThat(answer.status()).isEqualTo(422);
          assertThat(answer.json().path("details").toString()).contains("a -> b -> a");
          assertThat(container.status()).isEqualTo(422);
          assertThat(container.json().path("error").asText()).isEqualTo(CONTAINER_REFUSED);
        });
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
