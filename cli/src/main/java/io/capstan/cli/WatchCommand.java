package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Follows a run until it closes. On a terminal it redraws one frame (a progress bar and every
 * task's state) in place; elsewhere, such as in a pipe or a CI log, it prints a line for each
 * change instead, so the output stays readable.
 */
@Command(name = "watch", description = "Follow a run's progress until it ends.")
final class WatchCommand extends ApiCommand {
  private static final String CURSOR_UP_LINES = "\u001b[%dF";
  private static final String CLEAR_TO_END = "\u001b[J";
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Parameters(paramLabel = "ID", description = "The run id.")
  String id;

  @Option(
      names = "--interval",
      defaultValue = "1s",
      paramLabel = "DURATION",
      description = "How often to refresh, e.g. 1s or 500ms (default 1s).")
  String interval;

  @Option(names = "--plain", description = "Print a line per change even on a terminal.")
  boolean plain;

  /** Whether standard output is a terminal that understands cursor movement. */
  static boolean interactiveTerminal() {
    return System.console() != null && !"dumb".equals(System.getenv("TERM"));
  }

  @Override
  public Integer call() throws InterruptedException {
    Duration every = parseInterval(interval);
    Frames frames = plain || !interactiveTerminal() ? new Lines(out()) : new Redraw(out());
    JsonNode run;
    boolean waitingReported = false;
    while (true) {
      try {
        run = client().get(runPath(id)).body();
        waitingReported = false;
      } catch (ApiCallException e) {
        // Temporal restarting is worth waiting out; a refusal about the run is not.
        if (e.status() != 503 && e.status() != 502) {
          throw e;
        }
        if (!waitingReported) {
          err().println("waiting: " + e.getMessage());
          err().flush();
          waitingReported = true;
        }
        Thread.sleep(every.toMillis());
        continue;
      }
      frames.show(run);
      if (!"RUNNING".equals(run.path("status").asText())) {
        break;
      }
      Thread.sleep(every.toMillis());
    }
    String status = run.path("status").asText();
    out().printf("run %s ended %s%n", id, status);
    out().flush();
    return "COMPLETED".equals(status) ? 0 : 1;
  }

  static Duration parseInterval(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    try {
      Duration parsed;
      if (value.endsWith("ms")) {
        parsed = Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2)));
      } else if (value.endsWith("s")) {
        parsed =
            Duration.ofMillis(
                Math.round(Double.parseDouble(value.substring(0, value.length() - 1)) * 1000));
      } else {
        parsed = Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
      }
      if (parsed.toMillis() >= 100) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new CliException("--interval: expected a duration of at least 100ms, like 1s", 2);
  }

  /** How successive states of a run are shown. */
  interface Frames {
    void show(JsonNode run);
  }

  /** Redraws the whole frame over the previous one. */
  static final class Redraw implements Frames {
    private final PrintWriter out;
    private int drawn;

    Redraw(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void show(JsonNode run) {
      if (drawn > 0) {
        out.print(String.format(CURSOR_UP_LINES, drawn) + CLEAR_TO_END);
      }
      List<String> lines = RunText.frame(run);
      lines.forEach(out::println);
      out.flush();
      drawn = lines.size();
    }
  }

  /** Prints the progress line when it changes and a line per task whose state changed. */
  static final class Lines implements Frames {
    private final PrintWriter out;
    private final Map<String, String> lastTasks = new HashMap<>();
    private String lastHeader;
    private String lastNotes;

    Lines(PrintWriter out) {
      this.out = out;
    }

    @Override
    public void show(JsonNode run) {
      String time = LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK);
      String header = RunText.header(run);
      if (!header.equals(lastHeader)) {
        out.println(time + " " + header);
        lastHeader = header;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = run.path("tasks").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> task = it.next();
        String summary = RunText.taskSummary(task.getValue());
        if (!summary.equals(lastTasks.put(task.getKey(), summary))) {
          out.println(time + "   " + task.getKey() + "  " + summary);
        }
      }
      JsonNode rollout = run.path("rollout");
      if (rollout.isObject()) {
        String summary = RunText.rolloutSummary(rollout) + " " + rollout.path("reason").asText("");
        if (!summary.equals(lastTasks.put(" rollout", summary))) {
          out.println(time + " " + summary.strip());
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = rollout.path("nodes").fields();
            it.hasNext(); ) {
          Map.Entry<String, JsonNode> node = it.next();
          String line = RunText.rolloutNode(node.getValue());
          if (!line.equals(lastTasks.put("node " + node.getKey(), line))) {
            out.println(time + "   " + node.getKey() + "  " + line);
          }
        }
      }
      String notes = run.path("error").asText("") + run.path("warning").asText("");
      if (!notes.isEmpty() && !notes.equals(lastNotes)) {
        for (String field : new String[] {"error", "warning"}) {
          if (run.path(field).isTextual()) {
            out.println(time + " " + field + ": " + run.path(field).asText());
          }
        }
      }
      lastNotes = notes;
      out.flush();
    }
  }
}
