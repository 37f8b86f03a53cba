package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.SchedulePolicy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A scheduled Job on the dev server, where Temporal Schedules are real: pause holds it, unpause
 * lets it fire again, trigger and backfill start runs that the runs listing finds by schedule, and
 * the policy the YAML asked for is the one Temporal keeps.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Job schedules on the dev server")
class JobScheduleDevServerIT {

  private final Path state =
      Path.of("target", "capstan-job-schedule-dev-server-test", Long.toString(System.nanoTime()))
          .toAbsolutePath();

  private CapstanRuntime runtime;
  private Http http;
  private ScheduleClient temporalSchedules;

  @BeforeAll
  void start() {
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require()))
            .start();
    http = new Http(runtime.apiUrl());
    WorkflowClient client = runtime.client();
    temporalSchedules =
        ScheduleClient.newInstance(
            client.getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .build());
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @DisplayName(
      "a paused schedule reports PAUSED and starts nothing while paused; unpaused it fires again")
  void pauseHoldsTheScheduleAndUnpauseReleasesIt() throws InterruptedException {
    String id =
        create(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: ticker, namespace: sched}
            spec:
              simulate: {output: tick}
              schedule: "@every 1s"
            """);
    try {
      // Given a schedule that is seen to fire by itself.
      Eventually.await("the every-second schedule to fire", () -> actions(id), n -> n >= 1);

      // When it is paused through the API.
      HttpResponse<String> paused =
          http.post(
              "/api/v1/schedules/" + id + "/pause",
              "application/json",
              "{\"note\": \"maintenance window\"}");

      // Then the API and Temporal both report it paused, with the note.
      assertThat(paused.statusCode()).as(paused.body()).isEqualTo(202);
      JsonNode view = Http.json(paused);
      assertThat(view.path("status").asText())
          .as("status after pause: %s", view)
          .isEqualTo("PAUSED");
      assertThat(view.at("/schedule/paused").asBoolean()).as("schedule.paused: %s", view).isTrue();
      assertThat(view.at("/schedule/nextRuns")).as("a paused schedule has no next runs").isEmpty();
      assertThat(view.path("note").asText()).isEqualTo("maintenance window");
      ScheduleDescription described = describe(id);
      assertThat(described.getSchedule().getState().isPaused())
          .as("Temporal's own description of %s says paused", id)
          .isTrue();
      assertThat(described.getSchedule().getState().getNote()).isEqualTo("maintenance window");

      // And it starts nothing for several of its intervals. Only waiting shows that nothing
      // happens; Temporal's action count is read from the schedule itself, not from visibility.
      long heldAt = described.getInfo().getNumActions();
      List<String> recentBefore = recentRunIds(id);
      Thread.sleep(3_500);
      assertThat(actions(id))
          .as("actions of %s during 3.5s paused at a 1s interval", id)
          .isEqualTo(heldAt);
      assertThat(recentRunIds(id))
          .as("the API's recent runs of %s while paused", id)
          .isEqualTo(recentBefore);

      // When it is unpaused, then it is active again and fires.
      HttpResponse<String> unpaused =
          http.post("/api/v1/schedules/" + id + "/unpause", "application/json", "");
      assertThat(unpaused.statusCode()).as(unpaused.body()).isEqualTo(202);
      JsonNode active = Http.json(unpaused);
      assertThat(active.path("status").asText())
          .as("status after unpause: %s", active)
          .isEqualTo("ACTIVE");
      assertThat(active.at("/schedule/paused").asBoolean()).isFalse();
      assertThat(describe(id).getSchedule().getState().isPaused()).isFalse();
      Eventually.await("the unpaused schedule to fire again", () -> actions(id), n -> n > heldAt);
    } finally {
      delete(id);
    }
  }

  @Test
  @DisplayName(
      "trigger and a backfill over three past hours start runs that GET /api/v1/runs?schedule="
          + " lists: the triggered one and one per hour due in the window")
  void triggerAndBackfillStartListedRuns() {
    // Paused, so the only runs are the ones the test asks for; a manual action ignores pause.
    String id =
        create(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: hourly, namespace: sched}
            spec:
              simulate: {output: hour}
              schedule: {cron: "0 * * * *", paused: true}
            """);
    try {
      // When it is triggered, then one run starts and is listed as the schedule's.
      HttpResponse<String> triggered =
          http.post("/api/v1/schedules/" + id + "/trigger", "application/json", "");
      assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
      List<String> afterTrigger =
          Eventually.await(
              "the triggered run to be listed under ?schedule=" + id,
              () -> listedRunIds(id),
              listed -> listed.size() == 1);
      String triggeredRun = afterTrigger.get(0);
      assertThat(triggeredRun)
          .as("a scheduled run's id starts with the schedule's")
          .startsWith(id + "-");

      // When three past hours are backfilled (each window edge half past, so exactly three
      // top-of-the-hour times fall inside), then one run starts per hour, named for it.
      Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS);
      Instant start = hour.minus(Duration.ofMinutes(3 * 60 + 30));
      Instant end = hour.minus(Duration.ofMinutes(30));
      HttpResponse<String> backfilled =
          http.post(
              "/api/v1/schedules/" + id + "/backfill",
              "application/json",
              "{\"start\": \"" + start + "\", \"end\": \"" + end + "\"}");
      assertThat(backfilled.statusCode()).as(backfilled.body()).isEqualTo(202);

      List<String> due = new ArrayList<>();
      for (int h = 3; h >= 1; h--) {
        due.add(id + "-" + hour.minus(Duration.ofHours(h)));
      }
      List<String> expected = new ArrayList<>(due);
      expected.add(triggeredRun);
      JsonNode runs =
          Eventually.await(
              "the trigger's and the backfill's runs to be listed, all completed",
              () -> listedRuns(id),
              page -> idsOf(page).size() >= expected.size() && allCompleted(page));
      assertThat(idsOf(runs))
          .as("runs listed under ?schedule=%s after a trigger and a 3-hour backfill", id)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(expected);
      for (JsonNode run : runs) {
        assertThat(run.path("kind").asText()).as("kind of %s", run).isEqualTo("Job");
        assertThat(run.path("name").asText()).as("name of %s", run).isEqualTo("hourly");
        assertThat(run.path("namespace").asText()).as("namespace of %s", run).isEqualTo("sched");
      }
      assertThat(describe(id).getSchedule().getState().isPaused())
          .as("trigger and backfill leave the schedule paused")
          .isTrue();
    } finally {
      delete(id);
    }
  }

  @Test
  @DisplayName(
      "the catch-up window and overlap policy of the YAML are what Temporal describes, and what"
          + " the API reports; left out, they are Temporal-side skip and 1m")
  void policyFromTheYamlIsTemporals() {
    String chosen =
        create(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: policy, namespace: sched}
            spec:
              simulate: {output: p}
              schedule: {cron: "0 3 * * *", overlap: bufferOne, catchupWindow: 45m, paused: true}
            """);
    String defaults =
        create(
            """
            apiVersion: capstan.io/v1
            kind: Job
            metadata: {name: defaults, namespace: sched}
            spec:
              simulate: {output: d}
              schedule: {cron: "0 3 * * *", paused: true}
            """);
    try {
      SchedulePolicy policy = describe(chosen).getSchedule().getPolicy();
      assertThat(policy.getOverlap())
          .as("Temporal's overlap policy of %s, whose YAML says bufferOne", chosen)
          .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE);
      assertThat(policy.getCatchupWindow())
          .as("Temporal's catch-up window of %s, whose YAML says 45m", chosen)
          .isEqualTo(Duration.ofMinutes(45));
      JsonNode view = Http.json(http.get("/api/v1/schedules/" + chosen));
      assertThat(view.at("/schedule/overlap").asText())
          .as("API view %s", view)
          .isEqualTo("bufferOne");
      assertThat(view.at("/schedule/catchupWindow").asText())
          .as("API view %s", view)
          .isEqualTo("PT45M");

      SchedulePolicy defaulted = describe(defaults).getSchedule().getPolicy();
      assertThat(defaulted.getOverlap())
          .as("Temporal's overlap policy of %s, whose YAML names none", defaults)
          .isEqualTo(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP);
      assertThat(defaulted.getCatchupWindow())
          .as("Temporal's catch-up window of %s, whose YAML names none", defaults)
          .isEqualTo(Duration.ofMinutes(1));
    } finally {
      delete(chosen);
      delete(defaults);
    }
  }

  /** Submits a scheduled job and returns its schedule's id. */
  private String create(String yaml) {
    HttpResponse<String> response = http.post("/api/v1/runs", "application/yaml", yaml);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonNode schedule = Http.json(response);
    assertThat(schedule.path("kind").asText()).as("submitted %s", schedule).isEqualTo("Schedule");
    return schedule.path("id").asText();
  }

  private ScheduleDescription describe(String id) {
    return temporalSchedules.getHandle(id).describe();
  }

  private long actions(String id) {
    return describe(id).getInfo().getNumActions();
  }

  private void delete(String id) {
    temporalSchedules.getHandle(id).delete();
  }

  private List<String> recentRunIds(String id) {
    return Http.json(http.get("/api/v1/schedules/" + id)).path("recentRuns").findValuesAsText("id");
  }

  private JsonNode listedRuns(String scheduleId) {
    HttpResponse<String> response = http.get("/api/v1/runs?pageSize=100&schedule=" + scheduleId);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode page = Http.json(response);
    assertThat(page.path("source").asText()).as("listing %s", page).isEqualTo("visibility");
    return page.path("runs");
  }

  private List<String> listedRunIds(String scheduleId) {
    return idsOf(listedRuns(scheduleId));
  }

  private static List<String> idsOf(JsonNode runs) {
    List<String> ids = new ArrayList<>();
    runs.forEach(run -> ids.add(run.path("id").asText()));
    return ids;
  }

  private static boolean allCompleted(JsonNode runs) {
    for (JsonNode run : runs) {
      if (!run.path("status").asText().equals("COMPLETED")) {
        return false;
      }
    }
    return true;
  }
}
