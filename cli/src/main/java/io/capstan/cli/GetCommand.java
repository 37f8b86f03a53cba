package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", description = "Show a run: its status, progress and every task.")
final class GetCommand extends ApiCommand {
  static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  enum Format {
    json,
    table
  }

  @Parameters(paramLabel = "ID", description = "The run id.")
  String id;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "json",
      description = "json (default) or table.")
  Format format;

  @Override
  public Integer call() throws Exception {
    JsonNode run = client().get(runPath(id)).body();
    if (format == Format.json) {
      out().println(PRETTY.writeValueAsString(run));
      return 0;
    }
    out().println(RunText.header(run));
    out()
        .printf(
            "%s %s/%s, started %s%s%n",
            run.path("kind").asText(),
            run.path("namespace").asText(),
            run.path("name").asText(),
            run.path("startedAt").asText(""),
            run.path("closedAt").isTextual() ? ", closed " + run.path("closedAt").asText() : "");
    TextTable table = new TextTable("TASK", "STATE", "ATTEMPTS", "TOOK", "HOST", "OUTPUT/ERROR");
    for (Iterator<Map.Entry<String, JsonNode>> it = run.path("tasks").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> task = it.next();
      JsonNode state = task.getValue();
      String error = state.path("error").asText("");
      table.row(
          task.getKey(),
          state.path("state").asText(),
          Integer.toString(state.path("attempts").asInt()),
          took(state),
          state.path("host").asText(""),
          RunText.shorten(error.isEmpty() ? RunText.outputText(state) : error));
    }
    table.lines().forEach(out()::println);
    JsonNode page = run.path("taskPage");
    if (page.isObject()) {
      int from = page.path("offset").asInt();
      out()
          .printf(
              "tasks %d-%d of %d%s%n",
              from + 1,
              from + run.path("tasks").size(),
              page.path("total").asInt(),
              page.has("nextOffset")
                  ? "; the next ones: GET "
                      + runPath(id)
                      + "?taskOffset="
                      + page.path("nextOffset").asInt()
                  : "");
    }
    segments(run.path("segments"));
    for (String field : new String[] {"error", "warning"}) {
      if (run.path(field).isTextual()) {
        out().println(field + ": " + run.path(field).asText());
      }
    }
    return 0;
  }

  /**
   * A run cut into segments: how many are in each phase, then each one running or not succeeded,
   * with its workflow in Temporal.
   */
  private void segments(JsonNode segments) {
    if (!segments.isArray() || segments.isEmpty()) {
      return;
    }
    Map<String, Integer> phases = new java.util.LinkedHashMap<>();
    for (JsonNode segment : segments) {
      phases.merge(segment.path("phase").asText(), 1, Integer::sum);
    }
    StringBuilder counts = new StringBuilder();
    phases.forEach(
        (phase, count) ->
            counts.append(counts.length() == 0 ? "" : ", ").append(count + " " + phase));
    out().printf("segments: %d (%s)%n", segments.size(), counts);
    for (JsonNode segment : segments) {
      String phase = segment.path("phase").asText();
      if (phase.equals("SUCCEEDED") || phase.equals("PENDING")) {
        continue;
      }
      JsonNode progress = segment.path("progress");
      out()
          .printf(
              "  segment %d %s %d/%d tasks, workflow %s%s%n",
              segment.path("index").asInt(),
              phase,
              progress.path("done").asInt(),
              progress.path("total").asInt(),
              segment.path("workflowId").asText(),
              segment.path("error").isTextual()
                  ? ": " + RunText.shorten(segment.path("error").asText())
                  : "");
    }
  }

  private static String took(JsonNode task) {
    if (!task.path("startedAt").isTextual()) {
      return "";
    }
    Instant end =
        task.path("finishedAt").isTextual()
            ? Instant.parse(task.path("finishedAt").asText())
            : Instant.now();
    return RunText.since(task.path("startedAt").asText(), end);
  }
}
