package io.capstan.app.up;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.api.runs.pipeline.PipelineRuns;
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
 * Pipelines cut into segments on the dev server: 10,000 tasks complete with no execution over
 * 10,240 events and are read in pages, and a failure in one segment holds the run until a retry
 * through the API, which finds the segment that holds the task.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LargeRunDevServerIT {
  private static final int TASKS = 10_000;

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
      "10,000 tasks (a fan-out and a join) complete in 12 segments with every execution under"
          + " 10,240 events; GET pages them by 1,000")
  void tenThousandTasksCompleteAndAreReadInPages() {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: large}\n"
                + "spec:\n  parallelism: 500\n  tasks:\n"
                + "    - {name: t0, simulate: {output: seed}}\n");
    for (int i = 1; i < TASKS - 1; i++) {
      yaml.append("    - {name: t")
          .append(i)
          .append(", dependsOn: [t0], simulate: {output: '#{t0.output}-")
          .append(i)
          .append("'}}\n");
    }
    int last = TASKS - 1;
    yaml.append("    - {name: t" + last + ", dependsOn: [t1, t" + (last - 1) + "],")
        .append(" simulate: {output: '#{t1.output}+#{t" + (last - 1) + ".output}'}}\n");
    HttpResponse<String> submitted = http.post("/api/v1/runs", "application/yaml", yaml.toString());
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = Http.json(submitted).path("id").asText();

    JsonNode first =
        Eventually.get(
            Duration.ofMinutes(10),
            () -> {
              JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
              assertThat(run.path("status").asText())
                  .as(run.path("warning").asText())
                  .isNotEqualTo("RUNNING");
              return run;
            });

    assertThat(first.path("status").asText()).as(first.toString()).isEqualTo("COMPLETED");
    assertThat(first.path("progress").path("total").asInt()).isEqualTo(TASKS);
    assertThat(first.path("progress").path("done").asInt()).isEqualTo(TASKS);
    // The root's segment, ten of the 9,998 leaves, and the join's.
    assertThat(first.path("segments").size()).isEqualTo(12);
    assertThat(first.path("segments"))
        .allSatisfy(segment -> assertThat(segment.path("phase").asText()).isEqualTo("SUCCEEDED"));
    assertThat(first.path("segments").path(10).path("dependsOn").toString()).isEqualTo("[0]");
    assertThat(first.path("segments").path(11).path("dependsOn").toString()).isEqualTo("[1,10]");
    assertThat(first.path("tasks").size()).isEqualTo(1000);
    assertThat(first.path("tasks").path("t0").path("output").asText()).isEqualTo("seed");
    assertThat(first.path("tasks").path("t999").path("output").asText()).isEqualTo("seed-999");
    assertThat(first.path("taskPage").path("nextOffset").asInt()).isEqualTo(1000);
    JsonNode tail = Http.json(http.get("/api/v1/runs/" + id + "?taskOffset=9000&taskLimit=1000"));
    assertThat(tail.path("tasks").size()).isEqualTo(1000);
    assertThat(tail.path("tasks").path("t" + last).path("output").asText())
        .isEqualTo("seed-1+seed-" + (last - 1));
    assertThat(tail.path("taskPage").has("nextOffset")).isFalse();
    assertThat(http.get("/api/v1/runs/" + id + "/tasks/t5000/output").body())
        .isEqualTo("seed-5000");
    HttpResponse<String> bad = http.get("/api/v1/runs/" + id + "?taskLimit=5000");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(bad.body()).contains("taskLimit").contains("a whole number from 1 to 1000");

    List<String> executions = new ArrayList<>(List.of(id));
    for (int k = 0; k < 12; k++) {
      executions.add(id + "/segment-" + k);
    }
    for (String workflow : executions) {
      assertThat(executionLengths(workflow))
          .as(workflow)
          .allSatisfy(n -> assertThat(n).isLessThan(10_240));
    }
  }

  @Test
  @DisplayName(
      "onFailure pause across segments: the run waits, GET shows the waiting segment, and a retry"
          + " through the API reaches the segment that holds the task")
  void aRetryThroughTheApiReachesTheSegment() {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: held}\n"
                + "spec:\n  onFailure: pause\n  params: {ok: 'no'}\n  tasks:\n"
                + "    - {name: gate, retry: {maxAttempts: 1},"
                + " shell: {command: [sh, -c, 'test \"#{params.ok}\" = yes']}}\n");
    String previous = "gate";
    for (int i = 0; i < 24; i++) {
      yaml.append("    - {name: c" + i + ", dependsOn: [" + previous + "], simulate: {}}\n");
      previous = "c" + i;
    }
    HttpResponse<String> submitted;
    System.setProperty(PipelineRuns.SEGMENT_TASKS_PROPERTY, "10");
    try {
      submitted = http.post("/api/v1/runs", "application/yaml", yaml.toString());
    } finally {
      System.clearProperty(PipelineRuns.SEGMENT_TASKS_PROPERTY);
    }
    assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
    String id = Http.json(submitted).path("id").asText();

    JsonNode waiting =
        Eventually.get(
            Duration.ofMinutes(2),
            () -> {
              JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
              assertThat(run.path("phase").asText()).isEqualTo("WAITING");
              return run;
            });
    assertThat(waiting.path("segments").size()).isEqualTo(3);
    assertThat(waiting.path("segments").path(0).path("error").asText())
        .contains("waits for a retry");
    assertThat(waiting.path("tasks").path("gate").path("state").asText()).isEqualTo("FAILED");
    assertThat(waiting.path("tasks").path("c12").path("state").asText()).isEqualTo("PENDING");

    HttpResponse<String> unknown =
        http.post("/api/v1/runs/" + id + "/tasks/nope/retry", "application/json", "{}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    HttpResponse<String> retried =
        http.post(
            "/api/v1/runs/" + id + "/tasks/gate/retry",
            "application/json",
            "{\"params\": {\"ok\": \"yes\"}}");
    assertThat(retried.statusCode()).as(retried.body()).isLessThan(300);

    JsonNode done =
        Eventually.get(
            Duration.ofMinutes(2),
            () -> {
              JsonNode run = Http.json(http.get("/api/v1/runs/" + id));
              assertThat(run.path("status").asText()).isNotEqualTo("RUNNING");
              return run;
            });
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("COMPLETED");
    assertThat(done.path("progress").path("done").asInt()).isEqualTo(25);
    HttpResponse<String> late =
        http.post("/api/v1/runs/" + id + "/tasks/gate/retry", "application/json", "{}");
    assertThat(late.statusCode()).isEqualTo(409);
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
