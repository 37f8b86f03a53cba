package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.workflows.run.RunState;
import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("POST /api/v1/runs/{id}/tasks/{task}/retry")
class RetryTaskTest {
  /**
   * Its {@code check} fails until the run's {@code mode} param is {@code good}; with {@code
   * onFailure: pause} the run then waits for a retry instead of failing.
   */
  static final String WAITING_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: flaky, namespace: team-a}
      spec:
        params: {mode: bad}
        onFailure: pause
        defaults: {retry: {maxAttempts: 1}}
        tasks:
          - name: prepare
            simulate: {output: ready}
          - name: check
            dependsOn: [prepare]
            shell: {command: [sh, -c, "test #{params.mode} = good && echo passed"]}
          - name: publish
            dependsOn: [check]
            simulate: {output: "published #{check.output}"}
      """;

  private static TestTemporal temporal;

  @BeforeAll
  static void startTemporal() {
    temporal = TestTemporal.start();
  }

  @AfterAll
  static void stopTemporal() {
    temporal.close();
  }

  private static String waitingRun(Http http) throws InterruptedException {
    String id = InspectRunsTest.submit(http, WAITING_PIPELINE);
    InspectRunsTest.awaitTask(http, id, "check", t -> "FAILED".equals(t.path("state").asText()));
    return id;
  }

  @Test
  @DisplayName("a FAILED task runs again with new params, and the tasks that succeeded do not")
  void failedTaskRunsAgain() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = waitingRun(http);

          Http.Answer answer =
              http.post(
                  "/api/v1/runs/" + id + "/tasks/check/retry",
                  "{\"params\": {\"mode\": \"good\"}}",
                  Http.JSON);

          assertThat(answer.status()).as(answer.text()).isEqualTo(202);
          assertThat(answer.json().path("task").asText()).isEqualTo("check");
          assertThat(answer.json().path("reset").get(0).asText()).isEqualTo("check");
          RunState done = temporal.awaitResult(id);
          assertThat(done.tasks().get("check").output()).isEqualTo("passed");
          assertThat(done.tasks().get("publish").output()).isEqualTo("published passed");
          assertThat(done.tasks().get("prepare").attempts()).isEqualTo(1);
        });
  }

  @Test
  @DisplayName("a task that is not FAILED is 409 with the run's own reason")
  void taskNotFailedIsConflict() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = waitingRun(http);

          Http.Answer answer = http.post("/api/v1/runs/" + id + "/tasks/prepare/retry", "", null);

          assertThat(answer.status()).as(answer.text()).isEqualTo(409);
          assertThat(answer.json().path("error").asText()).contains("FAILED");
          http.post("/api/v1/runs/" + id + "/signals/abort", "", null);
        });
  }

  @Test
  @DisplayName("a task the run does not have is 404 listing the tasks it has")
  void unknownTaskIsNotFound() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = InspectRunsTest.submit(http, Definitions.SLOW_PIPELINE);
          InspectRunsTest.awaitTask(
              http, id, "crunch", t -> "RUNNING".equals(t.path("state").asText()));

          Http.Answer answer = http.post("/api/v1/runs/" + id + "/tasks/crnch/retry", "", null);

          assertThat(answer.status()).as(answer.text()).isEqualTo(404);
          assertThat(answer.json().path("error").asText())
              .isEqualTo("run '" + id + "' has no task 'crnch'");
          assertThat(answer.json().path("details").get(0).path("message").asText())
              .isEqualTo("its tasks: crunch, report");
          http.post("/api/v1/runs/" + id + "/cancel", "", null);
        });
  }

  @Test
  @DisplayName("an unknown run is 404 and an ended run is 409")
  void unknownOrEndedRun() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String ended = InspectRunsTest.submit(http, Definitions.PIPELINE);
          temporal.awaitResult(ended);

          Http.Answer unknown =
              http.post("/api/v1/runs/pipeline-default-ghost-00000000/tasks/a/retry", "", null);
          Http.Answer closed = http.post("/api/v1/runs/" + ended + "/tasks/load/retry", "", null);

          assertThat(unknown.status()).isEqualTo(404);
          assertThat(closed.status()).isEqualTo(409);
          assertThat(closed.json().path("error").asText()).contains("already ended COMPLETED");
        });
  }

  @Test
  @DisplayName("a job run is 422: only pipelines retry tasks in place")
  void jobRunIsUnprocessable() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String job = InspectRunsTest.submit(http, Definitions.JOB);

          Http.Answer answer =
              http.post("/api/v1/runs/" + job + "/tasks/completion-1/retry", "", null);

          assertThat(answer.status()).as(answer.text()).isEqualTo(422);
          assertThat(answer.json().path("error").asText())
              .isEqualTo("a Job run cannot retry a task in place");
        });
  }

  @Test
  @DisplayName("a body that is not JSON is 400, params that are not name to value are 422")
  void malformedBodies() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String path = "/api/v1/runs/pipeline-default-ghost-00000000/tasks/a/retry";

          JsonNode notJson = http.post(path, "{params", Http.JSON).json();
          Http.Answer notObject = http.post(path, "{\"params\": [1]}", Http.JSON);
          Http.Answer badName = http.post(path, "{\"params\": {\"a b\": \"x\"}}", Http.JSON);
          Http.Answer badValue = http.post(path, "{\"params\": {\"mode\": {}}}", Http.JSON);

          assertThat(notJson.path("error").asText()).isEqualTo("the retry body is not JSON");
          assertThat(notObject.status()).isEqualTo(400);
          assertThat(badName.status()).isEqualTo(422);
          assertThat(badName.json().path("details").get(0).path("path").asText())
              .isEqualTo("params.a b");
          assertThat(badValue.status()).isEqualTo(422);
        });
  }
}
