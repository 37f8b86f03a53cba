package io.capstan.api.validation;

import io.capstan.api.runs.RunKind;
import io.capstan.definitions.Definition;
import java.time.Duration;
import java.util.List;

/**
 * How a definition will run, as {@code POST /api/v1/validate} answers it: the tasks level by level
 * (each level can run at once) and the critical path with its expected duration.
 */
public record PlanView(List<List<String>> levels, CriticalPath criticalPath) {
  /**
   * @param duration the expected duration; tasks without an estimate (anything but {@code
   *     simulate}) count as zero
   */
  public record CriticalPath(List<String> tasks, Duration duration) {}

  /** How {@code definition} will run, as its kind plans it. */
  public static PlanView of(Definition definition) {
    return RunKind.of(definition).plan(definition);
  }
}
