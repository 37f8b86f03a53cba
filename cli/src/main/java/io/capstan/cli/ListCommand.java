package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "list", description = "List runs, newest first.")
final class ListCommand extends ApiCommand {
  private static final Map<String, String> OPTIONS =
      Map.of(
          "kind", "kind",
          "status", "status",
          "namespace", "namespace",
          "schedule", "schedule",
          "pageSize", "page-size");

  @Option(names = "--kind", description = "Pipeline or Job.")
  String kind;

  @Option(names = "--status", description = "RUNNING, COMPLETED, FAILED, CANCELED, ...")
  String status;

  @Option(names = "--namespace", description = "Only runs of this Capstan namespace.")
  String namespace;

  @Option(names = "--schedule", description = "Only runs this schedule started.")
  String schedule;

  @Option(names = "--page-size", description = "Runs per page (default 20).")
  Integer pageSize;

  @Option(names = "--page-token", description = "The token a previous page printed.")
  String pageToken;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table (default) or json.")
  GetCommand.Format format;

  @Override
  public Integer call() throws Exception {
    Map<String, String> query = new LinkedHashMap<>();
    query.put("kind", kind);
    query.put("status", status);
    query.put("namespace", namespace);
    query.put("schedule", schedule);
    query.put("pageSize", pageSize == null ? null : pageSize.toString());
    query.put("pageToken", pageToken);
    JsonNode page = client().get(ApiClient.withQuery("/api/v1/runs", query)).body();
    if (format == GetCommand.Format.json) {
      out().println(GetCommand.PRETTY.writeValueAsString(page));
      return 0;
    }
    TextTable table = new TextTable("ID", "KIND", "NAMESPACE", "NAME", "STATUS", "STARTED");
    for (JsonNode run : page.path("runs")) {
      table.row(
          run.path("id").asText(),
          run.path("kind").asText(),
          run.path("namespace").asText(),
          run.path("name").asText(),
          run.path("status").asText(),
          run.path("startedAt").asText(""));
    }
    table.lines().forEach(out()::println);
    if (page.path("nextPageToken").isTextual()) {
      // A page token holds for the query that produced it, so the hint repeats the filters.
      StringBuilder more = new StringBuilder("more: capstan list");
      query.forEach(
          (name, value) -> {
            if (value != null && !name.equals("pageToken")) {
              more.append(" --").append(OPTIONS.get(name)).append(' ').append(value);
            }
          });
      more.append(" --page-token ").append(page.path("nextPageToken").asText());
      out().println(more);
    }
    if (page.path("note").isTextual()) {
      err().println("note: " + page.path("note").asText());
    }
    return 0;
  }
}
