package io.capstan.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.testtools.JavalinTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The embedded Java test server has no Schedules. Scheduled jobs and the schedule routes say so,
 * and what to run instead; the dev-server behaviour is covered end to end in the e2e module.
 */
@DisplayName("Schedules on the embedded Java test server")
class SchedulesOnTestServerTest {
  static final String SCHEDULED_JOB =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: nightly-backup}
      spec:
        simulate: {output: saved}
        schedule:
          cron: "0 3 * * *"
          overlap: bufferOne
      """;

  private static final String UNAVAILABLE =
      "schedules need a Temporal server with Schedules: run ./capstan up (dev server) or"
          + " --temporal HOST:PORT; the embedded Java test server has none";

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
  @DisplayName("submitting a scheduled job is 422 saying schedules need the dev server")
  void scheduledJobIsRefused() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer = new Http(client).post("/api/v1/runs", SCHEDULED_JOB, Http.YAML);

          assertThat(answer.status()).as(answer.text()).isEqualTo(422);
          assertThat(answer.json().path("error").asText()).isEqualTo(UNAVAILABLE);
          assertThat(answer.json().path("details").get(0).path("path").asText())
              .isEqualTo("spec.schedule");
        });
  }

  @Test
  @DisplayName("a stream with a scheduled job starts none of its runs")
  void streamWithScheduledJobStartsNothing() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);

          Http.Answer answer =
              http.post("/api/v1/runs", Definitions.PIPELINE + "---\n" + SCHEDULED_JOB, Http.YAML);

          assertThat(answer.status()).isEqualTo(422);
          assertThat(http.get("/api/v1/runs").json().path("runs").isEmpty()).isTrue();
        });
  }

  @Test
  @DisplayName("the schedule list is empty, with a note saying why")
  void listIsEmptyWithNote() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http.Answer answer = new Http(client).get("/api/v1/schedules");

          assertThat(answer.status()).isEqualTo(200);
          assertThat(answer.json().path("schedules").isArray()).isTrue();
          assertThat(answer.json().path("schedules").isEmpty()).isTrue();
          assertThat(answer.json().path("note").asText()).isEqualTo(UNAVAILABLE);
        });
  }

  @Test
  @DisplayName("every route on one schedule is 422 with the same explanation, never a 500")
  void scheduleRoutesAreUnprocessable() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String path = "/api/v1/schedules/schedule-default-nightly-backup";
          List<Http.Answer> answers = new ArrayList<>();
          answers.add(http.get(path));
          answers.add(http.request(path, "DELETE"));
          answers.add(http.post(path + "/pause", "", null));
          answers.add(http.post(path + "/unpause", "{\"note\": \"back\"}", Http.JSON));
          answers.add(http.post(path + "/trigger", "", null));
          answers.add(
              http.post(
                  path + "/backfill",
                  "{\"start\": \"2025-01-01T00:00:00Z\", \"end\": \"2025-01-02T00:00:00Z\"}",
                  Http.JSON));
          answers.add(http.get("/api/v1/schedules/not%20an%20id"));

          for (Http.Answer answer : answers) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(422);
            assertThat(answer.json().path("error").asText()).isEqualTo(UNAVAILABLE);
          }
        });
  }

  @Test
  @DisplayName("a backfill range is checked first: ISO-8601, start before end, at most a year")
  void backfillRangeIsValidated() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String path = "/api/v1/schedules/schedule-default-nightly-backup/backfill";
          String[][] cases = {
            {"{}", "start", "required"},
            {"{\"start\": \"yesterday\", \"end\": \"2025-01-02T00:00:00Z\"}", "start", "ISO-8601"},
            {
              "{\"start\": \"2025-01-02T00:00:00Z\", \"end\": \"2025-01-01T00:00:00Z\"}",
              "end",
              "must be after start"
            },
            {
              "{\"start\": \"2024-01-01T00:00:00Z\", \"end\": \"2025-06-01T00:00:00Z\"}",
              "end",
              "at most 366 days"
            },
            {
              "{\"start\": \"2025-01-01T00:00:00Z\", \"end\": \"2025-01-02T00:00:00Z\","
                  + " \"overlap\": \"sometimes\"}",
              "overlap",
              "'sometimes' is not one of skip, bufferOne"
            },
          };
          for (String[] c : cases) {
            Http.Answer answer = http.post(path, c[0], Http.JSON);
            assertThat(answer.status()).as(c[0]).isEqualTo(422);
            assertThat(answer.json().path("error").asText()).isEqualTo("invalid backfill");
            JsonNode detail = answer.json().path("details").get(0);
            assertThat(detail.path("path").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(detail.path("message").asText()).as(c[0]).contains(c[2]);
          }
          Http.Answer offsets =
              http.post(
                  path,
                  "{\"start\": \"2025-01-01T02:00:00+02:00\", \"end\": \"2025-01-01T01:00:00Z\"}",
                  Http.JSON);
          assertThat(offsets.json().path("error").asText())
              .as(offsets.text())
              .isEqualTo(UNAVAILABLE);
          assertThat(http.post(path, "[1, 2]", Http.JSON).status()).isEqualTo(400);
          assertThat(http.post(path, "{not json", Http.JSON).status()).isEqualTo(400);
        });
  }
}
