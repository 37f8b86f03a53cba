package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "schedules", description = "List the schedules of scheduled jobs.")
final class SchedulesCommand extends ApiCommand {
  @Option(
      names = {"-o", "--output"},
      defaultValue = "table",
      description = "table (default) or json.")
  GetCommand.Format format;

  @Override
  public Integer call() throws Exception {
    JsonNode answer = client().get("/api/v1/schedules").body();
    if (format == GetCommand.Format.json) {
      out().println(GetCommand.PRETTY.writeValueAsString(answer));
      return 0;
    }
    TextTable table = new TextTable("ID", "NAMESPACE", "NAME", "SCHEDULE", "STATUS", "NEXT RUN");
    for (JsonNode schedule : answer.path("schedules")) {
      JsonNode terms = schedule.path("schedule");
      table.row(
          schedule.path("id").asText(),
          schedule.path("namespace").asText(),
          schedule.path("name").asText(),
          terms.path("cron").asText("") + " (" + terms.path("timezone").asText("UTC") + ")",
          schedule.path("status").asText(),
          terms.path("nextRuns").path(0).asText(""));
    }
    table.lines().forEach(out()::println);
    if (answer.path("note").isTextual()) {
      err().println("note: " + answer.path("note").asText());
    }
    return 0;
  }
}
