package io.capstan.workflows.run;

import java.util.Map;

/**
 * The answer of the {@code status} query of every Capstan workflow: the run's phase, progress and
 * the state of each task by name (in definition order).
 */
public record RunState(RunPhase phase, Progress progress, Map<String, TaskState> tasks) {
  /** The name of the query that returns this state, as the stock CLI and the Web UI call it. */
  public static final String QUERY = "status";
}
