package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "retry",
    description =
        "Run a FAILED task of a pipeline run again; the tasks that succeeded are not rerun.")
final class RetryCommand extends ApiCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", paramLabel = "ID", description = "The run id.")
  String id;

  @Parameters(index = "1", paramLabel = "TASK", description = "The failed task.")
  String task;

  @Option(
      names = {"-p", "--param"},
      paramLabel = "NAME=VALUE",
      description = "Override a param of the run from now on; repeatable.")
  Map<String, String> params = new LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    byte[] body = JSON.writeValueAsBytes(Map.of("params", params));
    JsonNode answer =
        client()
            .post(
                runPath(id) + "/tasks/" + ApiClient.segment(task) + "/retry",
                body,
                "application/json",
                Map.of())
            .body();
    List<String> reset = new ArrayList<>();
    answer.path("reset").forEach(name -> reset.add(name.asText()));
    out().printf("retrying %s of %s%n", answer.path("task").asText(task), id);
    if (!reset.isEmpty()) {
      out().printf("  back to PENDING: %s%n", String.join(", ", reset));
    }
    out().printf("  follow it: capstan watch %s%n", id);
    return 0;
  }
}
