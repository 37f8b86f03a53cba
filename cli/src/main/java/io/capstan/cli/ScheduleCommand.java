package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code capstan schedule ACTION ID}: one schedule, by the id {@code capstan schedules} lists. */
@Command(
    name = "schedule",
    description = "Show, pause, unpause, trigger, backfill or delete a schedule.")
final class ScheduleCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @ParentCommand CapstanCli root;

  @Spec CommandSpec spec;

  /** Without an action there is nothing to do; say which there are. */
  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  @Command(name = "get", description = "Show a schedule with its next and recent runs (JSON).")
  int get(@Parameters(paramLabel = "ID", description = "The schedule id.") String id)
      throws Exception {
    JsonNode schedule = client().get(path(id)).body();
    out().println(GetCommand.PRETTY.writeValueAsString(schedule));
    return 0;
  }

  @Command(name = "delete", description = "Delete a schedule; the runs it started go on.")
  int delete(@Parameters(paramLabel = "ID", description = "The schedule id.") String id) {
    client().delete(path(id));
    out().printf("deleted %s%n", id);
    return 0;
  }

  @Command(name = "pause", description = "Pause a schedule: it starts no run until unpaused.")
  int pause(
      @Parameters(paramLabel = "ID", description = "The schedule id.") String id,
      @Option(names = "--note", description = "Why; shown with the schedule.") String note)
      throws Exception {
    client().post(path(id) + "/pause", note(note), "application/json", Map.of());
    out().printf("paused %s%n", id);
    return 0;
  }

  @Command(name = "unpause", description = "Unpause a schedule.")
  int unpause(
      @Parameters(paramLabel = "ID", description = "The schedule id.") String id,
      @Option(names = "--note", description = "Why; shown with the schedule.") String note)
      throws Exception {
    client().post(path(id) + "/unpause", note(note), "application/json", Map.of());
    out().printf("unpaused %s%n", id);
    return 0;
  }

  @Command(name = "trigger", description = "Start a run of the schedule now.")
  int trigger(@Parameters(paramLabel = "ID", description = "The schedule id.") String id) {
    client().post(path(id) + "/trigger", new byte[0], null, Map.of());
    out().printf("triggered %s%n  its runs: capstan list --schedule %s%n", id, id);
    return 0;
  }

  @Command(
      name = "backfill",
      description = "Start the runs that were due between START and END (ISO-8601 instants).")
  int backfill(
      @Parameters(index = "0", paramLabel = "ID", description = "The schedule id.") String id,
      @Parameters(index = "1", paramLabel = "START", description = "e.g. 2025-01-01T00:00:00Z")
          String start,
      @Parameters(index = "2", paramLabel = "END", description = "e.g. 2025-01-02T00:00:00Z")
          String end)
      throws Exception {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("start", start);
    body.put("end", end);
    client()
        .post(path(id) + "/backfill", JSON.writeValueAsBytes(body), "application/json", Map.of());
    out().printf("backfilling %s from %s to %s%n", id, start, end);
    return 0;
  }

  private ApiClient client() {
    return root.client();
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private static String path(String id) {
    return "/api/v1/schedules/" + ApiClient.segment(id);
  }

  private static byte[] note(String note) throws Exception {
    return note == null ? new byte[0] : JSON.writeValueAsBytes(Map.of("note", note));
  }
}
