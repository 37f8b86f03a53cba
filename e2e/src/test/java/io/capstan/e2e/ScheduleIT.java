package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Job with a {@code schedule} becomes a Temporal Schedule: it fires on its interval, its runs are
 * listed by schedule and complete, and once deleted it starts nothing more.
 */
class ScheduleIT {
  @RegisterExtension static final RealStack stack = new RealStack();

  private static final String ID = "schedule-e2e-every-five";
  private static final String JOB =
      """
      apiVersion: capstan.io/v1
      kind: Job
      metadata: {name: every-five, namespace: e2e}
      spec:
        simulate: {duration: 500ms, output: tick}
        schedule: "@every 5s"
      """;

  @Test
  @DisplayName("a scheduled job fires every few seconds, its runs are listed, and delete stops it")
  void aScheduleFiresIsListedAndStopsWhenDeleted() {
    Api api = stack.api();
    Api.Response created = api.post("/api/v1/runs", Api.YAML, JOB);
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonNode schedule = created.json();
    assertThat(schedule.get("id").asText()).isEqualTo(ID);
    assertThat(schedule.get("kind").asText()).isEqualTo("Schedule");
    assertThat(schedule.get("status").asText()).isEqualTo("ACTIVE");
    assertThat(schedule.at("/schedule/cron").asText()).isEqualTo("@every 5s");
    assertThat(schedule.at("/schedule/nextRuns")).isNotEmpty();
    assertThat(schedule.at("/links/self").asText()).isEqualTo("/api/v1/schedules/" + ID);

    Api.Response duplicate = api.post("/api/v1/runs", Api.YAML, JOB);
    assertThat(duplicate.status()).as(duplicate.toString()).isEqualTo(409);
    assertThat(api.get("/api/v1/schedules").json().get("schedules").findValuesAsText("id"))
        .contains(ID);
    assertThat(api.get("/api/v1/schedules/" + ID).status()).isEqualTo(200);
    stack.temporal().temporal("schedule", "describe", "--schedule-id", ID).succeeded();

    Eventually.within(
        Duration.ofSeconds(25),
        () -> {
          JsonNode runs = scheduledRuns(api);
          List<String> completed = new ArrayList<>();
          for (JsonNode run : runs) {
            assertThat(run.get("kind").asText()).isEqualTo("Job");
            if (run.get("status").asText().equals("COMPLETED")) {
              completed.add(run.get("id").asText());
            }
          }
          assertThat(completed)
              .as("completed runs of the schedule: %s", runs)
              .hasSizeGreaterThanOrEqualTo(2);
        });

    Api.Response deleted = api.delete("/api/v1/schedules/" + ID);
    assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
    assertThat(api.get("/api/v1/schedules/" + ID).status()).isEqualTo(404);
    assertThat(stack.temporal().temporal("schedule", "describe", "--schedule-id", ID).exitCode())
        .isNotZero();

    // A run started just before the delete may reach visibility a moment later; then nothing new.
    RealTime.pass(Duration.ofSeconds(2));
    List<String> before = scheduledRuns(api).findValuesAsText("id");
    RealTime.pass(Duration.ofSeconds(7));
    assertThat(scheduledRuns(api).findValuesAsText("id"))
        .as("no run starts after the schedule was deleted")
        .containsExactlyInAnyOrderElementsOf(before);
  }

  private static JsonNode scheduledRuns(Api api) {
    Api.Response response = api.get("/api/v1/runs?schedule=" + ID);
    assertThat(response.status()).as(response.toString()).isEqualTo(200);
    return response.json().get("runs");
  }
}
