package io.capstan.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** How runs, tasks, plans and errors read in a terminal. */
final class RunText {
  static final int BAR_WIDTH = 20;
  private static final int MAX_TEXT = 80;

  private RunText() {}

  /** {@code [######--------------] 3/10}: one {@code #} per done part of the bar. */
  static String progressBar(int done, int total, int width) {
    int filled = total <= 0 ? 0 : (int) Math.round((double) width * Math.min(done, total) / total);
    return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "] " + done + "/" + total;
  }

  /** The bar of a run, from its {@code progress}, or an empty bar while it is unknown. */
  static String progressBar(JsonNode run) {
    JsonNode progress = run.path("progress");
    if (!progress.isObject()) {
      return progressBar(0, 0, BAR_WIDTH).replace("0/0", "?/?");
    }
    return progressBar(progress.path("done").asInt(), progress.path("total").asInt(), BAR_WIDTH);
  }

  /** {@code <id> RUNNING (PAUSED) [####----] 2/4}: the line that heads a run. */
  static String header(JsonNode run) {
    StringBuilder line = new StringBuilder();
    line.append(run.path("id").asText()).append("  ").append(run.path("status").asText());
    String phase = run.path("phase").asText("");
    if ("PAUSED".equals(phase)) {
      line.append(" (paused)");
    }
    line.append("  ").append(progressBar(run));
    return line.toString();
  }

  /** One line per task: name, state, attempts, then its output or error. */
  static List<String> taskLines(JsonNode run) {
    JsonNode tasks = run.path("tasks");
    int width = 4;
    for (Iterator<String> names = tasks.fieldNames(); names.hasNext(); ) {
      width = Math.max(width, names.next().length());
    }
    List<String> lines = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tasks.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> task = it.next();
      lines.add("  " + pad(task.getKey(), width) + "  " + taskSummary(task.getValue()));
    }
    return lines;
  }

  /** {@code RETRYING attempt 2 connection reset}: a task's state in one line. */
  static String taskSummary(JsonNode task) {
    StringBuilder line = new StringBuilder(pad(task.path("state").asText("?"), 9));
    int attempts = task.path("attempts").asInt(0);
    line.append("  ").append(pad(attempts == 0 ? "" : "attempt " + attempts, 10));
    String error = task.path("error").asText("");
    String output = outputText(task);
    if (!error.isEmpty()) {
      line.append("  ").append(shorten(error));
    } else if (!output.isEmpty()) {
      line.append("  -> ").append(shorten(output));
    }
    return line.toString().stripTrailing();
  }

  /**
   * A task's output as a line shows it: the output itself, or for one kept in the output store its
   * size and first characters, with the command that prints it whole.
   */
  static String outputText(JsonNode task) {
    JsonNode ref = task.path("outputRef");
    if (ref.isObject()) {
      return "["
          + ref.path("size").asLong()
          + " bytes, stored; capstan output RUN TASK] "
          + ref.path("preview").asText("");
    }
    return task.path("output").asText("");
  }

  /** The whole picture of a run, as {@code watch} draws it and {@code get -o table} prints it. */
  static List<String> frame(JsonNode run) {
    List<String> lines = new ArrayList<>();
    lines.add(header(run));
    lines.addAll(taskLines(run));
    lines.addAll(rolloutLines(run));
    String error = run.path("error").asText("");
    if (!error.isEmpty()) {
      lines.add("error: " + error);
    }
    String warning = run.path("warning").asText("");
    if (!warning.isEmpty()) {
      lines.add("warning: " + warning);
    }
    return lines;
  }

  /**
   * A RollingUpdate run's rollout: its phase, batch and counts, why it waits, then a line per node
   * (empty for other kinds).
   */
  static List<String> rolloutLines(JsonNode run) {
    JsonNode rollout = run.path("rollout");
    List<String> lines = new ArrayList<>();
    if (!rollout.isObject()) {
      return lines;
    }
    lines.add(rolloutSummary(rollout));
    if (rollout.path("reason").isTextual()) {
      lines.add("  " + rollout.path("reason").asText());
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = rollout.path("nodes").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> node = it.next();
      lines.add("  " + pad(node.getKey(), 28) + " " + rolloutNode(node.getValue()));
    }
    return lines;
  }

  /** {@code rollout Rolling, batch 3: 6 of 20 rolled to version 4, 14 to go (12m elapsed)}. */
  static String rolloutSummary(JsonNode rollout) {
    return "rollout "
        + rollout.path("phase").asText()
        + ", batch "
        + rollout.path("batch").asInt()
        + ": "
        + rollout.path("rolled").asInt()
        + " of "
        + rollout.path("desired").asInt()
        + " on version "
        + rollout.path("target").asText()
        + ", "
        + rollout.path("remaining").asInt()
        + " to go ("
        + duration(Duration.ofSeconds(rollout.path("elapsedSeconds").asLong()))
        + " elapsed)";
  }

  /** {@code Draining v3 batch 2 3 pods left pod a/b blocked by PDB web, 0 ...}. */
  static String rolloutNode(JsonNode node) {
    StringBuilder text =
        new StringBuilder(pad(node.path("phase").asText(), 10))
            .append(" v")
            .append(node.path("version").asText("?"));
    if (node.path("batch").canConvertToInt()) {
      text.append("  batch ").append(node.path("batch").asInt());
    }
    if (node.path("podsLeft").canConvertToInt()) {
      text.append("  ").append(node.path("podsLeft").asInt()).append(" pods left");
    }
    for (JsonNode why : node.path("blockedBy")) {
      text.append("  ").append(why.asText());
    }
    return text.toString();
  }

  /** {@code path (line:col): message}, the way every problem reads. */
  static String detail(JsonNode detail) {
    String path = detail.path("path").asText("");
    StringBuilder text = new StringBuilder(path.isEmpty() ? "(document)" : path);
    if (detail.path("line").canConvertToInt() && detail.path("line").asInt() > 0) {
      text.append(" (")
          .append(detail.path("line").asInt())
          .append(':')
          .append(detail.path("column").asInt())
          .append(')');
    }
    return text.append(": ").append(detail.path("message").asText()).toString();
  }

  /** {@code PT1M30S} as {@code 1m30s}; anything unparsable as written. */
  static String duration(String iso) {
    try {
      return duration(Duration.parse(iso));
    } catch (DateTimeParseException | NullPointerException e) {
      return iso;
    }
  }

  static String duration(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder text = new StringBuilder();
    long hours = duration.toHours();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (duration.toMinutesPart() > 0) {
      text.append(duration.toMinutesPart()).append('m');
    }
    if (duration.toSecondsPart() > 0) {
      text.append(duration.toSecondsPart()).append('s');
    }
    if (duration.toMillisPart() > 0) {
      text.append(duration.toMillisPart()).append("ms");
    }
    return text.toString();
  }

  /** How long ago (or for how long) from an ISO instant to {@code now}, e.g. {@code 12s}. */
  static String since(String instant, Instant now) {
    try {
      Duration elapsed = Duration.between(Instant.parse(instant), now);
      return duration(Duration.ofSeconds(Math.max(0, elapsed.toSeconds())));
    } catch (DateTimeParseException | NullPointerException e) {
      return "";
    }
  }

  static String pad(String text, int width) {
    return text.length() >= width ? text : text + " ".repeat(width - text.length());
  }

  static String shorten(String text) {
    String oneLine = text.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= MAX_TEXT ? oneLine : oneLine.substring(0, MAX_TEXT - 3) + "...";
  }
}
