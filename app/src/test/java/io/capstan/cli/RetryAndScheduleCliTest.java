package io.capstan.cli;

import static io.capstan.cli.CapstanCliTest.capstan;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.api.TestTemporal;
import io.capstan.testkit.Eventually;
import io.javalin.testtools.JavalinTest;
import java.time.Duration;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("capstan retry, schedules and schedule")
class RetryAndScheduleCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A pipeline whose {@code check} fails until {@code mode} is good, then waits for a retry. */
  private static final String WAITING_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: flaky}
      spec:
        params: {mode: bad}
        onFailure: pause
        defaults: {retry: {maxAttempts: 1}}
        tasks:
          - name: check
            shell: {command: [sh, -c, "test #{params.mode} = good && echo passed"]}
          - name: publish
            dependsOn: [check]
            simulate: {output: published}
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

  @Test
  @DisplayName("retry ID TASK -p NAME=VALUE retries the failed task with the new param")
  void retryRetriesTheFailedTask() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          String id;
          try (Response response =
              client.request(
                  "/api/v1/runs",
                  (Request.Builder b) ->
                      b.post(
                          RequestBody.create(
                              WAITING_PIPELINE, MediaType.get("application/yaml"))))) {
            id = JSON.readTree(response.body().string()).path("id").asText();
          }
          awaitFailed(client.getOrigin(), id, "check");

          CapstanCliTest.Run run =
              capstan("--api", client.getOrigin(), "retry", id, "check", "-p", "mode=good");

          assertThat(run.exitCode()).as(run.err()).isZero();
          assertThat(run.out())
              .contains("retrying check of " + id)
              .contains("back to PENDING: check, publish")
              .contains("capstan watch " + id);
          assertThat(temporal.awaitResult(id).tasks().get("check").output()).isEqualTo("passed");
        });
  }

  private static void awaitFailed(String api, String id, String task) {
    Eventually.within(
        Duration.ofSeconds(20),
        () -> {
          JsonNode run = JSON.readTree(capstan("--api", api, "get", id).out());
          assertThat(run.path("tasks").path(task).path("state").asText())
              .as("%s of %s", task, id)
              .isEqualTo("FAILED");
        });
  }

  @Test
  @DisplayName("retry of an unknown run prints the API's error and exits 1")
  void retryRefusedPrintsReason() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          CapstanCliTest.Run run =
              capstan(
                  "--api", client.getOrigin(), "retry", "pipeline-default-ghost-00000000", "check");

          assertThat(run.exitCode()).isEqualTo(1);
          assertThat(run.err()).contains("no run with id 'pipeline-default-ghost-00000000'");
        });
  }

  @Test
  @DisplayName("schedules lists none on the test server and prints why on stderr")
  void schedulesOnTestServer() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          CapstanCliTest.Run run = capstan("--api", client.getOrigin(), "schedules");

          assertThat(run.exitCode()).as(run.err()).isZero();
          assertThat(run.out()).startsWith("ID").contains("NEXT RUN");
          assertThat(run.err()).contains("note: schedules need a Temporal server with Schedules");
        });
  }

  @Test
  @DisplayName("schedule pause|unpause|trigger|delete reach their routes and print the refusal")
  void scheduleSubcommandsReachTheirRoutes() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          for (String action : new String[] {"pause", "unpause", "trigger", "delete", "get"}) {
            CapstanCliTest.Run run =
                capstan("--api", client.getOrigin(), "schedule", action, "schedule-default-x");

            assertThat(run.exitCode()).as(action + ": " + run.err()).isEqualTo(1);
            assertThat(run.err())
                .as(action)
                .contains("error: schedules need a Temporal server with Schedules");
          }
          CapstanCliTest.Run none = capstan("--api", client.getOrigin(), "schedule");
          assertThat(none.exitCode()).isEqualTo(2);
          assertThat(none.err()).contains("pause").contains("backfill");
        });
  }
}
