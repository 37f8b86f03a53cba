package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /api/v1/runs} answered by Temporal's visibility store on the dev server: the {@code
 * kind}, {@code status} and {@code namespace} filters become the server's query, and paging follows
 * the server's own tokens. The dev server is this class's alone, so every run it lists is one the
 * class submitted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("Listing runs through the dev server's visibility store")
class RunListingDevServerIT {
  /** Long enough to still run when the test ends; the dev server stops with the class. */
  private static final String LONG = "10m";

  private final Path state =
      Path.of("target", "capstan-run-listing-dev-server-test", Long.toString(System.nanoTime()))
          .toAbsolutePath();

  private CapstanRuntime runtime;
  private Http http;

  /** Each submitted run as the listing must show it once it settled. */
  private final Map<String, Expected> runs = new LinkedHashMap<>();

  private record Expected(String id, String kind, String namespace, String status) {}

  @BeforeAll
  void startAndSubmit() {
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require()))
            .start();
    http = new Http(runtime.apiUrl());

    // Given seven runs across two kinds, two namespaces and four end states.
    submit(pipeline("list-a", "a-pipe-running", LONG), "RUNNING");
    submit(pipeline("list-a", "a-pipe-done", "0s"), "COMPLETED");
    submit(job("list-a", "a-job-done", "0s", 0), "COMPLETED");
    submit(pipeline("list-b", "b-pipe-done", "0s"), "COMPLETED");
    submit(job("list-b", "b-job-running", LONG, 0), "RUNNING");
    submit(job("list-b", "b-job-failed", "0s", 1), "FAILED");
    String canceled = submit(pipeline("list-b", "b-pipe-canceled", LONG), "CANCELED");
    HttpResponse<String> cancel =
        http.post("/api/v1/runs/" + canceled + "/cancel", "application/json", "");
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(202);

    // Each run reaches its state (read from the run itself, which is strongly consistent)...
    for (Expected run : runs.values()) {
      Eventually.await(
          "run " + run.id() + " to be " + run.status(),
          () -> Http.json(http.get("/api/v1/runs/" + run.id())).path("status").asText(),
          run.status()::equals);
    }
    // ...and then visibility, which is eventually consistent, catches up with all of them.
    Eventually.await(
        "the unfiltered listing to show every run in its final state",
        () -> statusesById(list("pageSize=100")),
        listed -> listed.equals(expectedStatuses(r -> true)));
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @DisplayName("the kind filter lists exactly the runs of that kind, from the visibility store")
  void kindFilter() {
    assertFilter("kind=Pipeline", r -> r.kind().equals("Pipeline"));
    assertFilter("kind=Job", r -> r.kind().equals("Job"));
  }

  @Test
  @DisplayName("the status filter lists exactly the runs in that status")
  void statusFilter() {
    for (String status : List.of("RUNNING", "COMPLETED", "FAILED", "CANCELED")) {
      assertFilter("status=" + status, r -> r.status().equals(status));
    }
    assertFilter("status=TIMED_OUT", r -> false);
  }

  @Test
  @DisplayName("the namespace filter lists exactly that namespace's runs")
  void namespaceFilter() {
    assertFilter("namespace=list-a", r -> r.namespace().equals("list-a"));
    assertFilter("namespace=list-b", r -> r.namespace().equals("list-b"));
    assertFilter("namespace=list-nobody", r -> false);
  }

  @Test
  @DisplayName("filters combine: kind, status and namespace together narrow to their intersection")
  void combinedFilters() {
    assertFilter(
        "kind=Job&status=RUNNING&namespace=list-b",
        r ->
            r.kind().equals("Job")
                && r.status().equals("RUNNING")
                && r.namespace().equals("list-b"));
    assertFilter(
        "kind=Pipeline&status=COMPLETED",
        r -> r.kind().equals("Pipeline") && r.status().equals("COMPLETED"));
  }

  @Test
  @DisplayName(
      "paging two at a time follows nextPageToken through every page: each run once, none"
          + " missing")
  void pagingVisitsEveryRunOnce() {
    assertPagesCoverExactly("", 2, r -> true);
  }

  @Test
  @DisplayName("paging keeps the filter on every page")
  void pagingKeepsTheFilter() {
    assertPagesCoverExactly("namespace=list-b&", 3, r -> r.namespace().equals("list-b"));
    assertPagesCoverExactly("kind=Pipeline&", 1, r -> r.kind().equals("Pipeline"));
    assertPagesCoverExactly("status=COMPLETED&", 2, r -> r.status().equals("COMPLETED"));
  }

  /** Asserts the listing under {@code query} holds exactly the runs {@code expected} picks. */
  private void assertFilter(String query, Predicate<Expected> expected) {
    Map<String, String> want = expectedStatuses(expected);
    // Filtered queries read the same store that already settled; the short wait only absorbs lag.
    JsonNode page =
        Eventually.await(
            "GET /api/v1/runs?" + query + " to list " + want,
            () -> list(query + "&pageSize=100"),
            p -> statusesById(p).equals(want));
    assertThat(page.path("source").asText())
        .as("GET /api/v1/runs?%s answers from Temporal's visibility store", query)
        .isEqualTo("visibility");
    assertThat(page.path("nextPageToken").isNull())
        .as("one page of 100 holds every match of %s, so there is no next page: %s", query, page)
        .isTrue();
    for (JsonNode run : page.path("runs")) {
      Expected submitted = runs.get(run.path("id").asText());
      assertThat(run.path("kind").asText()).as("kind of %s", run).isEqualTo(submitted.kind());
      assertThat(run.path("namespace").asText())
          .as("namespace of %s", run)
          .isEqualTo(submitted.namespace());
    }
  }

  /**
   * Reads every page of {@code filter} at {@code pageSize} and asserts together they list each
   * expected run exactly once.
   */
  private void assertPagesCoverExactly(String filter, int pageSize, Predicate<Expected> expected) {
    Set<String> want = expectedStatuses(expected).keySet();
    List<String> seen = new ArrayList<>();
    List<Integer> pageSizes = new ArrayList<>();
    String token = null;
    do {
      String query =
          filter
              + "pageSize="
              + pageSize
              + (token == null
                  ? ""
                  : "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      JsonNode page = list(query);
      assertThat(page.path("source").asText())
          .as("source of page %s", page)
          .isEqualTo("visibility");
      assertThat(page.path("runs").size())
          .as("page %d of %s holds at most pageSize runs: %s", pageSizes.size() + 1, filter, page)
          .isLessThanOrEqualTo(pageSize);
      page.path("runs").forEach(run -> seen.add(run.path("id").asText()));
      pageSizes.add(page.path("runs").size());
      token = page.path("nextPageToken").isNull() ? null : page.path("nextPageToken").asText();
      assertThat(pageSizes.size())
          .as(
              "pages of %s end within a few more than the runs need (sizes so far %s)",
              filter, pageSizes)
          .isLessThanOrEqualTo(want.size() / pageSize + 2);
    } while (token != null);

    assertThat(seen)
        .as("runs of every page of %s at pageSize=%d (page sizes %s)", filter, pageSize, pageSizes)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(want);
    assertThat(pageSizes.size())
        .as("%d runs at pageSize=%d take several pages: %s", want.size(), pageSize, pageSizes)
        .isGreaterThanOrEqualTo((want.size() + pageSize - 1) / pageSize);
  }

  private String submit(String yaml, String expectedStatus) {
    HttpResponse<String> response = http.post("/api/v1/runs", "application/yaml", yaml);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    JsonNode run = Http.json(response);
    String id = run.path("id").asText();
    runs.put(
        id,
        new Expected(
            id, run.path("kind").asText(), run.path("namespace").asText(), expectedStatus));
    return id;
  }

  private JsonNode list(String query) {
    HttpResponse<String> response = http.get("/api/v1/runs?" + query);
    assertThat(response.statusCode())
        .as("GET /api/v1/runs?%s: %s", query, response.body())
        .isEqualTo(200);
    return Http.json(response);
  }

  private Map<String, String> expectedStatuses(Predicate<Expected> pick) {
    return runs.values().stream()
        .filter(pick)
        .collect(Collectors.toMap(Expected::id, Expected::status));
  }

  /** The page's runs by id, each with its status; a run listed twice fails at once. */
  private static Map<String, String> statusesById(JsonNode page) {
    Map<String, String> statuses = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (JsonNode run : page.path("runs")) {
      String id = run.path("id").asText();
      assertThat(seen.add(id)).as("run %s listed once in %s", id, page).isTrue();
      statuses.put(id, run.path("status").asText());
    }
    return statuses;
  }

  private static String pipeline(String namespace, String name, String duration) {
    return """
        apiVersion: capstan.io/v1
        kind: Pipeline
        metadata: {name: %s, namespace: %s}
        spec:
          tasks:
            - name: work
              simulate: {duration: %s, output: done}
        """
        .formatted(name, namespace, duration);
  }

  private static String job(String namespace, String name, String duration, int failAttempts) {
    return """
        apiVersion: capstan.io/v1
        kind: Job
        metadata: {name: %s, namespace: %s}
        spec:
          simulate: {duration: %s, output: done, failAttempts: %d}
        """
        .formatted(name, namespace, duration, failAttempts);
  }
}
