package io.capstan.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.testkit.Eventually;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A run submitted over Capstan's HTTP API is an ordinary Temporal workflow: the stock {@code
 * temporal} binary signals, queries, lists and cancels it, and the API sees the effects.
 */
class StockTemporalCliIT {
  @RegisterExtension static final RealStack stack = new RealStack();

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A chain whose second task waits for the first, so a pause taken early holds it back. */
  private static final String PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: cli-tour, namespace: e2e, labels: {team: e2e}}
      spec:
        tasks:
          - name: first
            simulate: {duration: 4s, output: one}
          - name: second
            dependsOn: [first]
            simulate: {duration: 1s, output: two}
          - name: long
            dependsOn: [second]
            simulate: {duration: 10m, output: never}
      """;

  @Test
  @DisplayName(
      "the stock CLI pauses, resumes, queries, lists and cancels a run submitted over HTTP")
  void stockCliDrivesACapstanRun() throws Exception {
    Api api = stack.api();
    DevServerFixture temporal = stack.temporal();
    String id = api.submit(PIPELINE).get("id").asText();

    // Paused while `first` runs: `first` finishes, but `second` must not start.
    temporal.temporal("workflow", "signal", "--workflow-id", id, "--name", "pause").succeeded();
    Eventually.within(
        Duration.ofSeconds(10),
        () -> assertThat(status(temporal, id).get("phase").asText()).isEqualTo("PAUSED"));
    assertThat(api.run(id).get("phase").asText()).isEqualTo("PAUSED");
    Eventually.within(
        Duration.ofSeconds(20),
        () -> assertThat(task(api.run(id), "first").get("state").asText()).isEqualTo("SUCCEEDED"));
    // Nothing new started: once the workflow has decided what follows `first`, its history holds
    // no activity scheduled after the pause signal.
    List<HistoryEvent> history =
        Eventually.get(
            Duration.ofSeconds(20),
            () -> {
              List<HistoryEvent> events = temporal.history(id);
              assertThat(decidedAfterLastActivity(events))
                  .as("a workflow task completed after `first` did")
                  .isTrue();
              return events;
            });
    assertThat(scheduledAfterSignal(history, "pause"))
        .as("activities scheduled after the pause signal")
        .isEmpty();
    JsonNode paused = status(temporal, id);
    assertThat(paused.at("/tasks/second/state").asText())
        .as("no new task starts while paused: %s", paused)
        .isEqualTo("PENDING");

    temporal.temporal("workflow", "signal", "--workflow-id", id, "--name", "resume").succeeded();
    Eventually.within(
        Duration.ofSeconds(20),
        () -> {
          JsonNode state = status(temporal, id);
          assertThat(state.get("phase").asText()).isEqualTo("RUNNING");
          assertThat(state.at("/tasks/second/state").asText()).isEqualTo("SUCCEEDED");
          assertThat(state.at("/tasks/long/state").asText()).isEqualTo("RUNNING");
          assertThat(state.at("/tasks/first/output").asText()).isEqualTo("one");
        });

    // Visibility indexes a moment after the start, hence the polling.
    Eventually.within(
        Duration.ofSeconds(15),
        () -> {
          assertThat(temporal.listWorkflowIds("CapstanKind='Pipeline' AND CapstanNamespace='e2e'"))
              .containsExactly(id);
          assertThat(temporal.listWorkflowIds("CapstanLabels='team=e2e'")).containsExactly(id);
          assertThat(temporal.listWorkflowIds("CapstanLabels='team=other'")).isEmpty();
        });
    Eventually.within(
        Duration.ofSeconds(15),
        () -> {
          Api.Response response = api.get("/api/v1/runs?kind=Pipeline&namespace=e2e");
          assertThat(response.status()).isEqualTo(200);
          JsonNode page = response.json();
          assertThat(page.get("source").asText()).isEqualTo("visibility");
          assertThat(page.get("runs").findValuesAsText("id")).containsExactly(id);
        });

    temporal.temporal("workflow", "cancel", "--workflow-id", id).succeeded();
    Eventually.within(
        Duration.ofSeconds(20),
        () -> {
          JsonNode run = api.run(id);
          assertThat(run.get("status").asText()).isEqualTo("CANCELED");
          assertThat(task(run, "long").get("state").asText()).isEqualTo("CANCELED");
        });
    JsonNode described =
        JSON.readTree(
            temporal
                .temporal("workflow", "describe", "--workflow-id", id, "--output", "json")
                .succeeded()
                .stdout());
    assertThat(described.at("/workflowExecutionInfo/status").asText())
        .isEqualTo("WORKFLOW_EXECUTION_STATUS_CANCELED");
  }

  /**
   * A task that fails for good under {@code onFailure: pause}: its output depends on a param, so a
   * retry with another value succeeds where the first attempt could not. Its own namespace keeps it
   * out of the other test's exact listings.
   */
  private static final String PAUSING_PIPELINE =
      """
      apiVersion: capstan.io/v1
      kind: Pipeline
      metadata: {name: cli-retry, namespace: e2e-retry}
      spec:
        params: {mode: broken}
        onFailure: pause
        tasks:
          - name: extract
            simulate: {output: rows}
          - name: load
            dependsOn: [extract]
            shell: {command: [sh, -c, 'test "$1" = fixed && echo "loaded $2"', load, "#{params.mode}", "#{extract.output}"]}
            retry: {maxAttempts: 1}
          - name: report
            dependsOn: [load]
            simulate: {output: "#{load.output} reported"}
      """;

  @Test
  @DisplayName(
      "the stock CLI retries a failed task in place with an Update, and the paused run completes")
  void stockCliRetriesAFailedTaskInPlace() throws Exception {
    Api api = stack.api();
    DevServerFixture temporal = stack.temporal();
    String id = api.submit(PAUSING_PIPELINE).get("id").asText();
    Eventually.within(
        Duration.ofSeconds(30),
        () -> {
          JsonNode state = status(temporal, id);
          assertThat(state.get("phase").asText()).isEqualTo("WAITING");
          assertThat(state.at("/tasks/load/state").asText()).isEqualTo("FAILED");
        });

    temporal
        .temporal(
            "workflow",
            "update",
            "execute",
            "--workflow-id",
            id,
            "--name",
            "retryTask",
            "--input",
            "{\"task\":\"load\",\"params\":{\"mode\":\"fixed\"}}")
        .succeeded();

    JsonNode run =
        Eventually.get(
            Duration.ofSeconds(30),
            () -> {
              JsonNode current = api.run(id);
              assertThat(current.get("status").asText()).isEqualTo("COMPLETED");
              return current;
            });
    assertThat(task(run, "extract").get("attempts").asInt())
        .as("the task that had succeeded did not run again")
        .isEqualTo(1);
    assertThat(task(run, "load").get("output").asText()).isEqualTo("loaded rows");
    assertThat(task(run, "report").get("output").asText()).isEqualTo("loaded rows reported");
  }

  /** The run's own state through {@code temporal workflow query --type status}. */
  private static JsonNode status(DevServerFixture temporal, String id) throws Exception {
    CommandResult query =
        temporal
            .temporal(
                "workflow", "query", "--workflow-id", id, "--type", "status", "--output", "json")
            .succeeded();
    return JSON.readTree(query.stdout()).get("queryResult").get(0);
  }

  /** Whether a workflow task completed after the last activity did: the workflow decided. */
  private static boolean decidedAfterLastActivity(List<HistoryEvent> events) {
    int completed = -1;
    for (int i = 0; i < events.size(); i++) {
      if (events.get(i).getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED) {
        completed = i;
      }
    }
    return completed >= 0
        && events.subList(completed, events.size()).stream()
            .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  }

  /** The ids of the activities scheduled after the first signal named {@code name}. */
  private static List<String> scheduledAfterSignal(List<HistoryEvent> events, String name) {
    List<String> scheduled = new ArrayList<>();
    boolean signaled = false;
    for (HistoryEvent event : events) {
      if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED
          && event.getWorkflowExecutionSignaledEventAttributes().getSignalName().equals(name)) {
        signaled = true;
      } else if (signaled && event.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        scheduled.add(event.getActivityTaskScheduledEventAttributes().getActivityId());
      }
    }
    assertThat(signaled).as("the history has the %s signal", name).isTrue();
    return scheduled;
  }

  private static JsonNode task(JsonNode run, String name) {
    return run.get("tasks").get(name);
  }
}
