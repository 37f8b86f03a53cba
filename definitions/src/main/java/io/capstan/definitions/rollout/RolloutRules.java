package io.capstan.definitions.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.definitions.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The rules of a rolling update that its schema cannot express: {@code maxSurge} and {@code
 * maxUnavailable} as counts or percentages that let some node be replaced, durations of the right
 * size, checkpoints in increasing percent that each wait one way, and a window whose cron names
 * times that exist and whose length is at most a week. Like every rule, each looks only at values
 * of the right type (a number written where the model holds text has been turned into that text
 * already) and leaves type errors to the schema. The window's time zone is checked where a job's
 * is, with the other definition rules.
 */
public final class RolloutRules {
  /** The longest window: a week, when one opening a week already keeps every hour open. */
  public static final Duration LONGEST_WINDOW = Duration.ofDays(7);

  private static final int MAX_PERCENT = 100;

  /**
   * One problem.
   *
   * @param path where it is below {@code spec}: field names ({@link String}) and list indexes
   *     ({@link Integer}), outermost first
   * @param message what is wrong and what to write instead
   */
  public record Finding(List<Object> path, String message) {
    public Finding {
      path = List.copyOf(path);
    }
  }

  private final List<Finding> findings = new ArrayList<>();

  private RolloutRules() {}

  /**
   * Every problem of a {@code kind: RollingUpdate} document's {@code spec}, a tree that passed
   * through the parser's text keeping (the parser positions and orders them).
   */
  public static List<Finding> check(JsonNode spec) {
    RolloutRules rules = new RolloutRules();
    rules.strategy(spec.path("strategy"));
    rules.checkpoints(spec.path("checkpoints"));
    rules.duration(spec, List.of(), "soak", false);
    rules.window(spec.path("window"));
    return List.copyOf(rules.findings);
  }

  private void strategy(JsonNode strategy) {
    if (!strategy.isObject()) {
      return;
    }
    List<Object> path = List.of("strategy");
    String surge = budgetValue(strategy, "maxSurge");
    String unavailable = budgetValue(strategy, "maxUnavailable");
    boolean surgeWritten = strategy.has("maxSurge");
    boolean unavailableWritten = strategy.has("maxUnavailable");
    // A value of the wrong type or form is reported once, on its own; both zero needs both read.
    if ((surge != null || !surgeWritten) && (unavailable != null || !unavailableWritten)) {
      RolloutBudget.nothingMoves(surge, unavailable)
          .ifPresent(why -> add(at(path, "maxSurge"), why));
    }
    duration(strategy, path, "drainTimeout", true);
    duration(strategy, path, "podEvictionTimeout", true);
    duration(strategy, path, "nodeDrainGracePeriod", false);
  }

  /**
   * The count or percentage written at {@code strategy.field} after reporting a malformed one; null
   * when absent, malformed or not text.
   */
  private String budgetValue(JsonNode strategy, String field) {
    JsonNode node = strategy.path(field);
    if (!node.isTextual()) {
      return null;
    }
    Optional<String> problem = RolloutBudget.problem(field, node.asText());
    problem.ifPresent(why -> add(List.of("strategy", field), why));
    return problem.isPresent() ? null : node.asText();
  }

  private void checkpoints(JsonNode checkpoints) {
    Integer highest = null;
    for (int i = 0; checkpoints.isArray() && i < checkpoints.size(); i++) {
      JsonNode checkpoint = checkpoints.get(i);
      if (!checkpoint.isObject()) {
        continue;
      }
      List<Object> path = List.of("checkpoints", i);
      Integer percent = percent(checkpoint.path("percent"));
      if (percent != null && highest != null && percent <= highest) {
        add(
            at(path, "percent"),
            percent
                + "% is not above "
                + highest
                + "%, a checkpoint before it: list checkpoints in increasing percent, each"
                + " percent once");
      } else if (percent != null) {
        highest = percent;
      }
      if (checkpoint.path("pause").booleanValue() && checkpoint.has("soak")) {
        add(
            path,
            "a checkpoint waits for its soak or for a resume signal, not both: remove soak, or"
                + " pause");
      }
      duration(checkpoint, path, "soak", false);
    }
  }

  private void window(JsonNode window) {
    if (!window.isObject()) {
      return;
    }
    List<Object> path = List.of("window");
    JsonNode cron = window.path("cron");
    // An empty cron is the schema's to report (minLength); both would say the same.
    if (cron.isTextual() && !cron.asText().isEmpty()) {
      CronCalendar.problem(cron.asText()).ifPresent(why -> add(at(path, "cron"), why));
    }
    Duration duration = duration(window, path, "duration", true);
    if (duration != null && duration.compareTo(LONGEST_WINDOW) > 0) {
      add(
          at(path, "duration"),
          "'"
              + window.get("duration").asText()
              + "' is too long: a window lasts at most "
              + Durations.format(LONGEST_WINDOW)
              + " (a cron that opens it every week keeps it open all the time)");
    }
  }

  /**
   * The duration at {@code parent.field}, after checking its size; null when absent, not a duration
   * (the schema reports those) or of the wrong size.
   */
  private Duration duration(
      JsonNode parent, List<Object> parentPath, String field, boolean positive) {
    JsonNode node = parent.path(field);
    if (!node.isTextual() || !Durations.isDuration(node.asText())) {
      return null;
    }
    Optional<String> problem = Durations.sizeProblem(node.asText(), positive);
    problem.ifPresent(why -> add(at(parentPath, field), why));
    return problem.isPresent() ? null : Durations.parse(node.asText());
  }

  /**
   * A whole percent from 1 to 100 ({@code 25.0} included, as the schema and the binding take it),
   * else null: the schema reports the others.
   */
  private static Integer percent(JsonNode node) {
    if (!node.isNumber() || !node.canConvertToExactIntegral() || !node.canConvertToInt()) {
      return null;
    }
    int value = node.intValue();
    return value < 1 || value > MAX_PERCENT ? null : value;
  }

  private void add(List<Object> path, String message) {
    findings.add(new Finding(path, message));
  }

  private static List<Object> at(List<Object> path, String field) {
    List<Object> longer = new ArrayList<>(path);
    longer.add(field);
    return longer;
  }
}
