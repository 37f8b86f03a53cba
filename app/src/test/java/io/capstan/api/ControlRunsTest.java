package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.javalin.testtools.JavalinTest;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Signals and cancellation of runs")
class ControlRunsTest {
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
  @DisplayName("pause and resume are accepted with 202 and show in the run's phase")
  void pauseAndResumeAreAccepted() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = InspectRunsTest.submit(http, Definitions.SLOW_PIPELINE);

          Http.Answer pause = http.post("/api/v1/runs/" + id + "/signals/pause", "", null);
          assertThat(pause.status()).isEqualTo(202);
          assertThat(pause.json().path("signal").asText()).isEqualTo("pause");
          awaitRun(http, id, run -> "PAUSED".equals(run.path("phase").asText()));

          Http.Answer resume = http.post("/api/v1/runs/" + id + "/signals/resume", "{}", Http.JSON);
          assertThat(resume.status()).isEqualTo(202);
          awaitRun(http, id, run -> "RUNNING".equals(run.path("phase").asText()));

          http.post("/api/v1/runs/" + id + "/cancel", "", null);
        });
  }

  @Test
  @DisplayName("a signal the run's kind does not take is 422 naming the ones it does")
  void unknownSignalIsUnprocessable() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String pipeline = InspectRunsTest.submit(http, Definitions.SLOW_PIPELINE);
          String job = InspectRunsTest.submit(http, Definitions.JOB);

          Http.Answer wrong = http.post("/api/v1/runs/" + pipeline + "/signals/explode", "", null);
          Http.Answer toJob = http.post("/api/v1/runs/" + job + "/signals/pause", "", null);

          assertThat(wrong.status()).isEqualTo(422);
          assertThat(wrong.json().path("error").asText())
              .isEqualTo("a Pipeline run takes no signal 'explode'");
          assertThat(wrong.json().path("details").get(0).path("message").asText())
              .isEqualTo("known signals: pause, resume, abort");
          assertThat(toJob.status()).isEqualTo(422);
          assertThat(toJob.json().path("details").get(0).path("message").asText())
              .isEqualTo("this kind of run takes no signals");

          http.post("/api/v1/runs/" + pipeline + "/cancel", "", null);
        });
  }

  @Test
  @DisplayName("a signal with a body that is not JSON is 400")
  void signalWithMalformedBodyIsBadRequest() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = InspectRunsTest.submit(http, Definitions.SLOW_PIPELINE);

          Http.Answer answer =
              http.post("/api/v1/runs/" + id + "/signals/pause", "{not json", Http.JSON);

          assertThat(answer.status()).isEqualTo(400);
          http.post("/api/v1/runs/" + id + "/cancel", "", null);
        });
  }

  @Test
  @DisplayName("cancel is accepted with 202, the run ends CANCELED, and a second cancel is 409")
  void cancelEndsTheRunCanceled() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = InspectRunsTest.submit(http, Definitions.SLOW_PIPELINE);
          InspectRunsTest.awaitTask(
              http, id, "crunch", task -> "RUNNING".equals(task.path("state").asText()));

          Http.Answer cancel = http.post("/api/v1/runs/" + id + "/cancel", "", null);

          assertThat(cancel.status()).isEqualTo(202);
          JsonNode run = awaitRun(http, id, r -> "CANCELED".equals(r.path("status").asText()));
          assertThat(run.path("tasks").path("crunch").path("state").asText()).isEqualTo("CANCELED");
          assertThat(run.path("tasks").path("report").path("state").asText()).isEqualTo("CANCELED");

          Http.Answer again = http.post("/api/v1/runs/" + id + "/cancel", "", null);
          Http.Answer signal = http.post("/api/v1/runs/" + id + "/signals/pause", "", null);
          assertThat(again.status()).isEqualTo(409);
          assertThat(again.json().path("error").asText()).contains("already ended CANCELED");
          assertThat(signal.status()).isEqualTo(409);
        });
  }

  @Test
  @DisplayName("signals and cancels for a run that does not exist are 404")
  void controlOfUnknownRunIsNotFound() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String id = "pipeline-default-ghost-00000000";

          assertThat(http.post("/api/v1/runs/" + id + "/cancel", "", null).status()).isEqualTo(404);
          assertThat(http.post("/api/v1/runs/" + id + "/signals/pause", "", null).status())
              .isEqualTo(404);
        });
  }

  static JsonNode awaitRun(Http http, String id, Predicate<JsonNode> condition) {
    return Eventually.await(
        "run " + id + " to reach the expected state",
        () -> http.get("/api/v1/runs/" + id).json(),
        condition);
  }
}
