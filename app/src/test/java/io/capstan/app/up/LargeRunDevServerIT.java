package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.testkit.Eventually;
import io.capstan.testkit.FreePorts;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A pipeline of 2,500 tasks on the dev server: it continues as new with every execution under
 * 10,240 events, and the API answers its state in pages of at most 1,000 tasks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeRunDevServerIT {
  private static final int TASKS = 2_500;

  private final Path state =
      Path.of("target", "large-run-it", Long.toString(System.nanoTime())).toAbsolutePath();

  private CapstanRuntime runtime;
  private Http http;

  @BeforeAll
  void start() {
    runtime =
        new CapstanRuntime(
                CapstanRuntime.Config.devServer(
                    0, FreePorts.next(), FreePorts.next(), state, TemporalBinary.require()))
            .start();
    http = new Http(runtime.apiUrl());
  }

  @AfterAll
  void stop() {
    if (runtime != null) {
      runtime.close();
    }
  }

  @Test
  @DisplayName(
      "2,500 tasks complete with every execution under 10,240 events; GET pages them by 1,000")
  void aLargeRunCompletesAndIsReadInPages() {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: large}\n"
                + "spec:\n  parallelism: 250\n  tasks:\n");
    for (int i = 0; i < TASKS; i++) {
      yaml.append("    - {name: t")
          .append(i)
          .append(", simulate: {output: o")
          .append(i)
          .append("}}\n");
    }
    HttpResponse<String> submitted = http.post("/api/v1/runs", "application/yaml", yaml.toString());
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = Http.json(submitted).path("id").asText();

    JsonNode first =
        Eventually.get(
            Duration.ofMinutes(5),
            () -> {
              JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
              assertThat(run.path("status").asText())
                  .as(run.path("warning").asText())
                  .isNotEqualTo("RUNNING");
              return run;
            });

    assertThat(first.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(first.path("progress").path("total").asInt()).isEqualTo(TASKS);
    assertThat(first.path("tasks").size()).isEqualTo(1000);
    assertThat(first.path("taskPage").path("nextOffset").asInt()).isEqualTo(1000);
    JsonNode last = Http.json(http.get("/api/v1/runs/" + id + "?taskOffset=2000&taskLimit=1000"));
    assertThat(last.path("tasks").size()).isEqualTo(500);
    assertThat(last.path("tasks").path("t2499").path("output").asText()).isEqualTo("o2499");
    assertThat(last.path("taskPage").has("nextOffset")).isFalse();
    assertThat(http.get("/api/v1/runs/" + id + "/tasks/t2400/output").body()).isEqualTo("o2400");
    HttpResponse<String> bad = http.get("/api/v1/runs/" + id + "?taskLimit=5000");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("taskLimit").contains("a whole number from 1 to 1000");

    List<Integer> lengths = executionLengths(id);
    assertThat(lengths).hasSizeGreaterThan(1);
    assertThat(lengths).allSatisfy(n -> assertThat(n).isLessThan(10_240));
  }

  private List<Integer> executionLengths(String id) {
    List<Integer> lengths = new ArrayList<>();
    var client = runtime.client();
    // Walk forward from the first execution of the run.
    var describe =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace("default")
                    .setExecution(
                        io.temporal.api.common.v1.WorkflowExecution.newBuilder().setWorkflowId(id))
                    .build());
    String runId = describe.getWorkflowExecutionInfo().getFirstRunId();
    while (runId != null) {
      List<HistoryEvent> events = client.fetchHistory(id, runId).getEvents();
      lengths.add(events.size());
      HistoryEvent end = events.get(events.size() - 1);
      runId =
          end.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? end.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    return lengths;
  }
}
