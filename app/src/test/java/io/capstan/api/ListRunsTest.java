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

@DisplayName("GET /api/v1/runs")
class ListRunsTest {
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
  @DisplayName("on the test server, runs come from the API's own index, newest first, with a note")
  void testServerListsFromLocalIndex() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String pipeline = InspectRunsTest.submit(http, Definitions.PIPELINE);
          String job = InspectRunsTest.submit(http, Definitions.JOB);
          temporal.awaitResult(pipeline);
          temporal.awaitResult(job);

          JsonNode page = http.get("/api/v1/runs").json();

          assertThat(page.path("source").asText()).isEqualTo("local-index");
          assertThat(page.path("note").asText()).contains("test server has no visibility");
          assertThat(ids(page)).containsExactly(job, pipeline);
          JsonNode newest = page.path("runs").get(0);
          assertThat(newest.path("kind").asText()).isEqualTo("Job");
          assertThat(newest.path("status").asText()).isEqualTo("COMPLETED");
          assertThat(newest.path("links").path("self").asText()).isEqualTo("/api/v1/runs/" + job);
          assertThat(page.path("nextPageToken").isNull()).isTrue();
        });
  }

  @Test
  @DisplayName("kind, namespace and status filter the list, and pages follow nextPageToken")
  void filtersAndPages() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String first = InspectRunsTest.submit(http, Definitions.PIPELINE);
          String second = InspectRunsTest.submit(http, Definitions.PIPELINE);
          String job = InspectRunsTest.submit(http, Definitions.JOB);
          String slow = InspectRunsTest.submit(http, Definitions.SLOW_PIPELINE);
          temporal.awaitResult(first);
          temporal.awaitResult(second);
          temporal.awaitResult(job);

          assertThat(ids(http.get("/api/v1/runs?kind=pipeline").json()))
              .containsExactly(slow, second, first);
          assertThat(ids(http.get("/api/v1/runs?namespace=team-a").json()))
              .containsExactly(second, first);
          assertThat(ids(http.get("/api/v1/runs?status=running").json())).containsExactly(slow);
          assertThat(ids(http.get("/api/v1/runs?kind=Pipeline&status=COMPLETED").json()))
              .containsExactly(second, first);

          List<String> paged = new ArrayList<>();
          String path = "/api/v1/runs?pageSize=3";
          JsonNode page = http.get(path).json();
          paged.addAll(ids(page));
          assertThat(page.path("nextPageToken").isTextual()).isTrue();
          page = http.get(path + "&pageToken=" + page.path("nextPageToken").asText()).json();
          paged.addAll(ids(page));
          assertThat(page.path("nextPageToken").isNull()).isTrue();
          assertThat(paged).containsExactly(slow, job, second, first);

          http.post("/api/v1/runs/" + slow + "/cancel", "", null);
        });
  }

  @Test
  @DisplayName("a bad page size or page token is 400 naming the parameter")
  void unreadablePagingIsBadRequest() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String[][] cases = {
            {"pageSize=0", "pageSize"},
            {"pageSize=lots", "pageSize"},
            {"pageToken=forged", "pageToken"},
            {"pageToken=l.-5", "pageToken"},
          };
          for (String[] c : cases) {
            Http.Answer answer = http.get("/api/v1/runs?" + c[0]);
            assertThat(answer.status()).as(c[0]).isEqualTo(400);
            assertThat(answer.json().path("details").get(0).path("path").asText()).isEqualTo(c[1]);
          }
        });
  }

  @Test
  @DisplayName(
      "a filter value outside its allowed set, or one that could rewrite the query, is 422")
  void filterValuesOutsideTheirSetAreUnprocessable() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          String[][] cases = {
            {"kind=ResourceQuota", "kind", "'ResourceQuota' is not one of Pipeline, Job, Cluster,"},
            {"status=sleeping", "status", "'sleeping' is not one of RUNNING, COMPLETED"},
            {"namespace=team-a'%20OR%20'1'='1", "namespace", "only letters, digits"},
            {"schedule=x')%20OR%20(1=1", "schedule", "only letters, digits"},
            {"namespace=a%20b", "namespace", "not 'a b'"},
          };
          for (String[] c : cases) {
            Http.Answer answer = http.get("/api/v1/runs?" + c[0]);
            assertThat(answer.status()).as(c[0]).isEqualTo(422);
            JsonNode detail = answer.json().path("details").get(0);
            assertThat(detail.path("path").asText()).as(c[0]).isEqualTo(c[1]);
            assertThat(detail.path("message").asText()).as(c[0]).contains(c[2]);
          }
        });
  }

  @Test
  @DisplayName("on the test server, runs of a schedule list as none, with a note saying why")
  void scheduleFilterOnTestServerListsNone() {
    JavalinTest.test(
        temporal.api(),
        (server, client) -> {
          Http http = new Http(client);
          InspectRunsTest.submit(http, Definitions.JOB);

          JsonNode page = http.get("/api/v1/runs?schedule=schedule-default-backup").json();

          assertThat(page.path("runs").isEmpty()).isTrue();
          assertThat(page.path("source").asText()).isEqualTo("local-index");
          assertThat(page.path("note").asText()).contains("no schedules");
        });
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("runs").forEach(run -> ids.add(run.path("id").asText()));
    return ids;
  }
}
