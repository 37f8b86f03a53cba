package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.definitions.executor.ExecutorKind;
import io.capstan.testkit.Eventually;
import io.javalin.testtools.JavalinTest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Instant;
import java.util.EnumSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("GET /api/v1/runs/{id}")
class InspectRunsTest {
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
  @DisplayName("an id no run has is 404, and so is a string that cannot be a run id")
  void unknownRunIsNotFound() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          for (String id :
              new String[] {
                "pipeline-default-nothing-abcd1234", "no", "Pipeline-X-y-ABCD1234", "a%20b%3Bc"
              }) {
            Http.Answer answer = http.get("/api/v1/runs/" + id);
            assertThat(answer.status()).as(id).isEqualTo(404);
            assertThat(answer.json().path("error").asText()).startsWith("no run with id");
          }
        });
  }

  @Test
  @DisplayName(
      "a run's status reads as whatever record its kind names, while running and once completed,"
          + " and pipelines show no separate view")
  void statusReadsAsTheKindsRecord() throws Exception {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = submit(http, Definitions.PIPELINE);
          temporal.awaitResult(id);
          io.capstan.api.runs.TemporalRuns runs =
              new io.capstan.api.runs.TemporalRuns(temporal.client());

          JsonNode queried = runs.queryStatus(id, JsonNode.class);
          var close =
              runs.closeEvent(
                      io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                          .setWorkflowId(id)
                          .build())
                  .orElseThrow();
          JsonNode returned = runs.completedStatus(close, JsonNode.class).orElseThrow();

          assertThat(queried.path("tasks").path("load").path("state").asText())
              .isEqualTo("SUCCEEDED");
          assertThat(returned.path("phase").asText()).isEqualTo("SUCCEEDED");
          assertThat(http.get("/api/v1/runs/" + id).json().has("view")).isFalse();
        });
  }

  @Test
  @DisplayName("a completed run shows its status, times, progress and every task's state")
  void completedRunShowsTasksAndProgress() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = submit(http, Definitions.PIPELINE);
          temporal.awaitResult(id);

          JsonNode run = http.get("/api/v1/runs/" + id).json();

          assertThat(run.path("id").asText()).isEqualTo(id);
          assertThat(run.path("kind").asText()).isEqualTo("Pipeline");
          assertThat(run.path("name").asText()).isEqualTo("nightly-etl");
          assertThat(run.path("namespace").asText()).isEqualTo("team-a");
          assertThat(run.path("status").asText()).isEqualTo("COMPLETED");
          Instant started = Instant.parse(run.path("startedAt").asText());
          assertThat(Instant.parse(run.path("closedAt").asText())).isAfterOrEqualTo(started);
          assertThat(run.path("progress").path("done").asInt()).isEqualTo(2);
          assertThat(run.path("progress").path("total").asInt()).isEqualTo(2);
          JsonNode load = run.path("tasks").path("load");
          assertThat(load.path("state").asText()).isEqualTo("SUCCEEDED");
          assertThat(load.path("attempts").asInt()).isEqualTo(1);
          assertThat(load.path("output").asText()).isEqualTo("loaded rows-database");
          assertThat(load.path("host").asText()).isEqualTo(TestTemporal.HOST);
          assertThat(Instant.parse(load.path("finishedAt").asText()))
              .isAfterOrEqualTo(Instant.parse(load.path("startedAt").asText()));
          assertThat(run.has("error")).isFalse();
          assertThat(run.has("warning")).isFalse();
        });
  }

  @Test
  @DisplayName(
      "a task waiting out its retry backoff is RETRYING, with attempts, last error and host")
  void taskBetweenAttemptsIsRetrying() {
    String flaky =
        """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: flaky}
        spec:
          tasks:
            - name: fetch
              simulate: {output: fetched, failAttempts: 1}
              retry: {maxAttempts: 3, backoff: exponential, initial: 1h}
        """;
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = submit(http, flaky);

          JsonNode fetch =
              awaitTask(http, id, "fetch", task -> "RETRYING".equals(task.path("state").asText()));

          assertThat(fetch.path("attempts").asInt()).isEqualTo(1);
          assertThat(fetch.path("error").asText()).contains("simulated failure");
          assertThat(fetch.path("host").asText()).isEqualTo(TestTemporal.HOST);

          // Waiting on the result lets the test server skip the hour of backoff.
          temporal.awaitResult(id);
          JsonNode done = http.get("/api/v1/runs/" + id).json().path("tasks").path("fetch");
          assertThat(done.path("state").asText()).isEqualTo("SUCCEEDED");
          assertThat(done.path("attempts").asInt()).isEqualTo(2);
        });
  }

  @Test
  @DisplayName("a failed run says why in its error, and its failed task keeps its own error")
  void failedRunCarriesItsError() {
    String failing =
        """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: doomed}
        spec:
          tasks:
            - name: break
              simulate: {failAttempts: 1}
            - name: after
              dependsOn: [break]
              simulate: {}
        """;
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = submit(http, failing);
          assertThatThrownBy(() -> temporal.awaitResult(id))
              .isInstanceOf(WorkflowFailedException.class);

          JsonNode run = http.get("/api/v1/runs/" + id).json();

          assertThat(run.path("status").asText()).isEqualTo("FAILED");
          assertThat(run.path("error").asText()).contains("break");
          assertThat(run.path("tasks").path("break").path("state").asText()).isEqualTo("FAILED");
          assertThat(run.path("tasks").path("break").path("error").asText())
              .contains("simulated failure");
          assertThat(run.path("tasks").path("after").path("state").asText()).isEqualTo("SKIPPED");
          assertThat(run.path("closedAt").isTextual()).isTrue();
        });
  }

  @Test
  @DisplayName("a run no worker answers for still reads from Temporal, with a warning, not a 500")
  void runWithoutWorkerAnswersWhatTemporalKnows() {
    // A server of its own, with no worker polling the control-plane queue.
    try (TestWorkflowEnvironment bare = TestWorkflowEnvironment.newInstance()) {
      TestTemporal.registerSearchAttributes(bare);
      ApiDependencies deps =
          new ApiDependencies(
              bare.getWorkflowClient(),
              TestTemporal.INFO,
              temporal.metrics(),
              EnumSet.of(ExecutorKind.SIMULATE));
      JavalinTest.test(
          ApiApp.create(deps),
          (server, client) -> {
            Http http = new Http(client);
            String id = submit(http, Definitions.PIPELINE);

            Http.Answer answer = http.get("/api/v1/runs/" + id);

            assertThat(answer.status()).isEqualTo(200);
            JsonNode run = answer.json();
            assertThat(run.path("status").asText()).isEqualTo("RUNNING");
            assertThat(run.path("name").asText()).isEqualTo("nightly-etl");
            assertThat(run.path("startedAt").isTextual()).isTrue();
            assertThat(run.path("progress").isNull()).isTrue();
            assertThat(run.path("tasks").isEmpty()).isTrue();
            assertThat(run.path("warning").asText())
                .contains("did not answer its status query")
                .contains("is a worker running?");
          });
    }
  }

  static String submit(Http http, String yaml) {
    Http.Answer answer = http.post("/api/v1/runs", yaml, Http.YAML);
    assertThat(answer.status()).as(answer.text()).isEqualTo(201);
    return answer.json().path("id").asText();
  }

  /**
   * Polls the run until the task satisfies {@code condition}; the test server runs in real time.
   */
  static JsonNode awaitTask(Http http, String id, String task, Predicate<JsonNode> condition) {
    return Eventually.await(
        "task " + task + " of " + id + " to reach the expected state",
        () -> http.get("/api/v1/runs/" + id).json().path("tasks").path(task),
        condition);
  }
}
