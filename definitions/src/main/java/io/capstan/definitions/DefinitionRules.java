package io.capstan.definitions;

import com.fasterxml.jackson.databind.JsonNode;
import io.capstan.definitions.job.Cron;
import io.capstan.definitions.job.ScheduleSpec;
import io.capstan.definitions.rollout.RolloutRules;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The rules a schema cannot express: durations that must be positive or ordered, references to
 * params and task outputs, the task graph (through {@link TaskGraphRules}), a job's schedule (cron,
 * time zone, catch-up window), a cluster's pools and bounds (through {@link ClusterRules}), a
 * rolling update's budget, checkpoints and window (through {@link RolloutRules}), and features that
 * are not available yet. They run on the same tree as the schema, so one pass reports everything;
 * each rule looks only at values of the right type and leaves type errors to the schema.
 */
final class DefinitionRules {
  private DefinitionRules() {}

  static List<Problem> check(SourceDocument source, Set<String> extraParams) {
    JsonNode root = source.root();
    DefinitionKinds.Kind kind = root.isObject() ? TextFields.kindOf(root) : null;
    JsonNode spec = root.path("spec");
    if (kind == null || !spec.isObject()) {
      return List.of();
    }
    NodePath specPath = NodePath.ROOT.field("spec");
    Set<String> params = new HashSet<>(extraParams);
    if (spec.path("params").isObject()) {
      spec.get("params").fieldNames().forEachRemaining(params::add);
    }
    List<Problem> problems = new ArrayList<>();
    kind.rules().check(source, spec, specPath, params, problems);
    return problems;
  }

  /** A pipeline's rules: durations, backoffs, executors, env names and the task graph. */
  static void pipeline(
      SourceDocument source,
      JsonNode spec,
      NodePath specPath,
      Set<String> params,
      List<Problem> problems) {
    duration(source, spec, specPath, "timeout", true, problems);
    JsonNode defaults = spec.path("defaults");
    if (defaults.isObject()) {
      NodePath defaultsPath = specPath.field("defaults");
      duration(source, defaults, defaultsPath, "timeout", true, problems);
      backoff(source, defaults.path("retry"), defaultsPath.field("retry"), problems);
    }
    JsonNode tasks = spec.path("tasks");
    for (int i = 0; tasks.isArray() && i < tasks.size(); i++) {
      JsonNode task = tasks.get(i);
      if (task.isObject()) {
        NodePath taskPath = specPath.field("tasks").index(i);
        duration(source, task, taskPath, "timeout", true, problems);
        backoff(source, task.path("retry"), taskPath.field("retry"), problems);
        executorDurations(source, task, taskPath, problems);
        envNames(source, task, taskPath, problems);
      }
    }
    TaskGraphRules.check(source, spec, specPath, params, problems);
  }

  /** A job's rules: its schedule, durations, backoff, executor, env names and templates. */
  static void job(
      SourceDocument source,
      JsonNode spec,
      NodePath specPath,
      Set<String> params,
      List<Problem> problems) {
    schedule(source, spec.path("schedule"), specPath.field("schedule"), problems);
    duration(source, spec, specPath, "timeout", true, problems);
    backoff(source, spec.path("restartPolicy"), specPath.field("restartPolicy"), problems);
    executorDurations(source, spec, specPath, problems);
    envNames(source, spec, specPath, problems);
    if (spec.path("gpu").path("affinity").isObject()) {
      problems.add(
          source.problem(
              specPath.field("gpu").field("affinity"),
              "a job has no other task to share a host with: affinity is for pipeline tasks"));
    }
    templated(
        spec,
        specPath,
        (path, text) -> {
          for (Templates.Reference reference : Templates.references(text)) {
            String problem =
                reference.isParam()
                    ? unknownParam(reference, params)
                    : "'"
                        + reference.text()
                        + "' refers to a task output, but a job has no tasks: only"
                        + " #{params.NAME} can be used here";
            if (problem != null) {
              problems.add(source.problem(path, problem));
            }
          }
        });
  }

  /** A cluster's rules: see {@link ClusterRules}. */
  static void cluster(
      SourceDocument source,
      JsonNode spec,
      NodePath specPath,
      Set<String> params,
      List<Problem> problems) {
    ClusterRules.check(source, spec, specPath, problems);
  }

  /**
   * A rolling update's rules: see {@link RolloutRules}; its window's time zone is checked as a
   * job's is.
   */
  static void rollingUpdate(
      SourceDocument source,
      JsonNode spec,
      NodePath specPath,
      Set<String> params,
      List<Problem> problems) {
    for (RolloutRules.Finding finding : RolloutRules.check(spec)) {
      NodePath path = specPath;
      for (Object step : finding.path()) {
        path = step instanceof Integer index ? path.index(index) : path.field(step.toString());
      }
      problems.add(source.problem(path, finding.message()));
    }
    NodePath windowPath = specPath.field("window");
    timeZone(source, spec.path("window").path("timeZone"), windowPath.field("timeZone"), problems);
  }

  /**
   * Checks a job's schedule, written as a cron string or as an object: the cron expression, the
   * time zone (an IANA id Java knows, as Temporal needs) and the catch-up window (Temporal's
   * minimum is 10s).
   */
  private static void schedule(
      SourceDocument source, JsonNode schedule, NodePath path, List<Problem> problems) {
    // An empty cron is the schema's to report (minLength); both would say the same.
    if (schedule.isTextual()) {
      if (!schedule.asText().isEmpty()) {
        Cron.problem(schedule.asText()).ifPresent(p -> problems.add(source.problem(path, p)));
      }
      return;
    }
    if (!schedule.isObject()) {
      return;
    }
    JsonNode cron = schedule.path("cron");
    if (cron.isTextual() && !cron.asText().isEmpty()) {
      Cron.problem(cron.asText())
          .ifPresent(p -> problems.add(source.problem(path.field("cron"), p)));
    }
    timeZone(source, schedule.path("timezone"), path.field("timezone"), problems);
    Duration window = duration(source, schedule, path, "catchupWindow", true, problems);
    if (window != null && window.compareTo(ScheduleSpec.MIN_CATCHUP_WINDOW) < 0) {
      problems.add(
          source.problem(
              path.field("catchupWindow"),
              "'"
                  + schedule.get("catchupWindow").asText()
                  + "' is too short: a catch-up window is at least "
                  + Durations.format(ScheduleSpec.MIN_CATCHUP_WINDOW)));
    }
  }

  /** Checks that a time zone is an IANA id Java knows (as Temporal needs), with a close one. */
  private static void timeZone(
      SourceDocument source, JsonNode zone, NodePath path, List<Problem> problems) {
    if (zone.isTextual() && !ZoneId.getAvailableZoneIds().contains(zone.asText())) {
      problems.add(
          source.problem(
              path,
              "'"
                  + zone.asText()
                  + "' is not a time zone"
                  + Suggestions.didYouMean(zone.asText(), ZoneId.getAvailableZoneIds())
                  + ": use an IANA id such as UTC, Europe/Berlin or America/New_York"));
    }
  }

  /** The problem with a {@code #{params.X}} reference, or null when X is a known param. */
  static String unknownParam(Templates.Reference reference, Set<String> params) {
    if (params.contains(reference.key())) {
      return null;
    }
    return "'"
        + reference.text()
        + "' refers to unknown param '"
        + reference.key()
        + "'"
        + Suggestions.didYouMean(reference.key(), params)
        + "; declare it in spec.params";
  }

  /**
   * Visits every string of an executor block that is rendered before the work starts (and so may
   * hold {@code #{...}} references), with its path.
   */
  static void templated(JsonNode holder, NodePath holderPath, BiConsumer<NodePath, String> visit) {
    JsonNode simulate = holder.path("simulate");
    text(simulate.path("output"), holderPath.field("simulate").field("output"), visit);
    for (String executor : List.of("shell", "container")) {
      JsonNode block = holder.path(executor);
      NodePath blockPath = holderPath.field(executor);
      for (String list : List.of("command", "args")) {
        JsonNode items = block.path(list);
        for (int i = 0; items.isArray() && i < items.size(); i++) {
          text(items.get(i), blockPath.field(list).index(i), visit);
        }
      }
      JsonNode env = block.path("env");
      NodePath envPath = blockPath.field("env");
      if (env.isObject()) {
        env.fieldNames().forEachRemaining(name -> text(env.get(name), envPath.field(name), visit));
      }
      for (int i = 0; env.isArray() && i < env.size(); i++) {
        text(env.get(i).path("value"), envPath.index(i).field("value"), visit);
      }
      text(block.path("workingDir"), blockPath.field("workingDir"), visit);
    }
  }

  private static void text(JsonNode node, NodePath path, BiConsumer<NodePath, String> visit) {
    if (node.isTextual()) {
      visit.accept(path, node.asText());
    }
  }

  private static void executorDurations(
      SourceDocument source, JsonNode holder, NodePath holderPath, List<Problem> problems) {
    for (String executor : List.of("simulate", "gpu")) {
      JsonNode block = holder.path(executor);
      if (block.isObject()) {
        duration(source, block, holderPath.field(executor), "duration", false, problems);
      }
    }
  }

  /**
   * An env list names each variable once; the map form cannot repeat a name (a repeated key is a
   * reading problem already).
   */
  private static void envNames(
      SourceDocument source, JsonNode holder, NodePath holderPath, List<Problem> problems) {
    for (String executor : List.of("shell", "container")) {
      JsonNode env = holder.path(executor).path("env");
      NodePath envPath = holderPath.field(executor).field("env");
      Map<String, NodePath> first = new HashMap<>();
      for (int i = 0; env.isArray() && i < env.size(); i++) {
        JsonNode name = env.get(i).path("name");
        if (!name.isTextual()) {
          continue;
        }
        NodePath namePath = envPath.index(i).field("name");
        NodePath earlier = first.putIfAbsent(name.asText(), namePath);
        if (earlier != null) {
          problems.add(
              source.problem(
                  namePath,
                  "duplicate env name '"
                      + name.asText()
                      + "': set each variable once (first set at line "
                      + source.lineOf(earlier)
                      + ")"));
        }
      }
    }
  }

  /** Checks a retry or restart policy: positive delays, and max no shorter than initial. */
  private static void backoff(
      SourceDocument source, JsonNode policy, NodePath path, List<Problem> problems) {
    if (!policy.isObject()) {
      return;
    }
    Duration initial = duration(source, policy, path, "initial", true, problems);
    Duration max = duration(source, policy, path, "max", true, problems);
    duration(source, policy, path, "interval", true, problems);
    if (initial != null && max != null && max.compareTo(initial) < 0) {
      problems.add(
          source.problem(
              path.field("max"),
              "max ("
                  + Durations.format(max)
                  + ") is shorter than initial ("
                  + Durations.format(initial)
                  + ")"));
    }
  }

  /**
   * The duration at {@code parent.field}, after checking its size; null when absent or not a
   * duration (the schema reports those).
   */
  static Duration duration(
      SourceDocument source,
      JsonNode parent,
      NodePath parentPath,
      String field,
      boolean positive,
      List<Problem> problems) {
    JsonNode node = parent.get(field);
    if (node == null || !node.isTextual() || !Durations.isDuration(node.asText())) {
      return null;
    }
    Optional<String> problem = Durations.sizeProblem(node.asText(), positive);
    if (problem.isPresent()) {
      problems.add(source.problem(parentPath.field(field), problem.get()));
      return null;
    }
    return Durations.parse(node.asText());
  }
}
