package io.capstan.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.capstan.app.up.CapstanRuntime;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Submits pipelines of many tasks through the HTTP API, as a user does, and reports for each the
 * wall time from submit to the end, the milliseconds per task, how many executions ran (the run's,
 * its segments' and any continued as new) and the longest history among them.
 *
 * <p>Shape: one root task, a fan-out of zero-second tasks that each render the root's output, and a
 * join that depends on the first and last of them.
 *
 * <p>Flags: {@code --tasks N[,N...]} (default 10000), {@code --parallelism N} (500), and the
 * Temporal flags of {@link BenchSetup} ({@code --temporal-mode dev-server} by default, {@code
 * --temporal HOST:PORT} for the PostgreSQL server).
 */
public final class LargePipelineBench {
  private static final ObjectMapper JSON = new ObjectMapper();

  private LargePipelineBench() {}

  public static void main(String[] args) throws Exception {
    String sizes = BenchSetup.stringFlag(args, "--tasks", "10000");
    int parallelism = BenchSetup.intFlag(args, "--parallelism", 500);
    CapstanRuntime.Config config = BenchSetup.unlimited(BenchSetup.config(args, "dev-server"));
    try (CapstanRuntime runtime = new CapstanRuntime(config).start()) {
      System.out.printf(
          "Capstan large-pipeline benchmark: Temporal %s (%s), %d cores, Java %s%n",
          runtime.temporal().address(),
          runtime.temporal().mode(),
          Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"));
      List<String> rows = new ArrayList<>();
      for (String size : sizes.split(",")) {
        rows.add(run(runtime, Integer.parseInt(size.trim()), parallelism));
      }
      System.out.println();
      System.out.println(
          "| tasks | parallelism | submit s | wall s | ms/task | executions | longest history |");
      System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
      rows.forEach(System.out::println);
    }
  }

  private static String run(CapstanRuntime runtime, int tasks, int parallelism) throws Exception {
    StringBuilder yaml =
        new StringBuilder(
            "apiVersion: capstan.io/v1\nkind: Pipeline\nmetadata: {name: large-"
                + tasks
                + "}\nspec:\n  parallelism: "
                + parallelism
                + "\n  tasks:\n    - {name: t0, simulate: {output: seed}}\n");
    for (int i = 1; i < tasks - 1; i++) {
      yaml.append("    - {name: t")
          .append(i)
          .append(", dependsOn: [t0], simulate: {output: '#{t0.output}-")
          .append(i)
          .append("'}}\n");
    }
    int last = tasks - 1;
    yaml.append("    - {name: t" + last + ", dependsOn: [t1, t" + (last - 1) + "],")
        .append(" simulate: {output: '#{t1.output}+#{t" + (last - 1) + ".output}'}}\n");
    HttpClient http = HttpClient.newHttpClient();
    long start = System.nanoTime();
    HttpResponse<String> submitted =
        http.send(
            HttpRequest.newBuilder(URI.create(runtime.apiUrl() + "/api/v1/runs"))
                .header("Content-Type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(yaml.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    double submitSeconds = (System.nanoTime() - start) / 1e9;
    if (submitted.statusCode() != 201) {
      throw new IllegalStateException(submitted.statusCode() + ": " + submitted.body());
    }
    String id = JSON.readTree(submitted.body()).path("id").asText();
    System.out.printf(
        "%d tasks: submitted as %s in %.1f s (%d KiB of YAML)%n",
        tasks, id, submitSeconds, yaml.length() / 1024);
    JsonNode run;
    long lastReport = 0;
    while (true) {
      Thread.sleep(2000);
      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(URI.create(runtime.apiUrl() + "/api/v1/runs/" + id)).build(),
              HttpResponse.BodyHandlers.ofString());
      run = JSON.readTree(answer.body());
      if (!run.path("status").asText().equals("RUNNING")) {
        break;
      }
      if (System.nanoTime() - lastReport > Duration.ofSeconds(30).toNanos()) {
        lastReport = System.nanoTime();
        System.out.printf(
            "%d tasks: %d done after %.0f s%n",
            tasks, run.path("progress").path("done").asInt(), (lastReport - start) / 1e9);
      }
    }
    double wall = (System.nanoTime() - start) / 1e9;
    if (!run.path("status").asText().equals("COMPLETED")) {
      throw new IllegalStateException("the run ended " + run.path("status") + ": " + run);
    }
    List<String> workflows = new ArrayList<>(List.of(id));
    for (JsonNode segment : run.path("segments")) {
      workflows.add(segment.path("workflowId").asText());
    }
    int executions = 0;
    int longest = 0;
    for (String workflow : workflows) {
      for (int length : executionLengths(runtime.client(), workflow)) {
        executions++;
        longest = Math.max(longest, length);
      }
    }
    String row =
        String.format(
            "| %,d | %d | %.1f | %.0f | %.2f | %d | %,d |",
            tasks, parallelism, submitSeconds, wall, wall * 1000 / tasks, executions, longest);
    System.out.println(row);
    return row;
  }

  /** The event count of each execution of {@code id}, from its first. */
  private static List<Integer> executionLengths(WorkflowClient client, String id) {
    List<Integer> lengths = new ArrayList<>();
    String runId =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .describeWorkflowExecution(
                DescribeWorkflowExecutionRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                    .build())
            .getWorkflowExecutionInfo()
            .getFirstRunId();
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
